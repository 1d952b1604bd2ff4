import Testing

@testable import TokenWatchCore

@Suite struct VirtualShardTests {
    /// Expected values from docs/tokenwatch_shard.py, an independent implementation in Python.
    @Test(arguments: [
        ("alice", 7), ("bob", 20), ("José", 39), ("ＣＡＲＯＬ", 50), (" Dana ", 11), ("person7", 21),
    ])
    func shardsMatchThePythonHelper(user: String, shard: Int) {
        #expect(VirtualShard.of(user: user) == shard)
    }

    @Test func spellingsOfOnePersonShareAShard() {
        #expect(VirtualShard.of(user: "Jose\u{301}") == VirtualShard.of(user: "josé"))
        #expect(VirtualShard.of(user: "ＣＡＲＯＬ") == VirtualShard.of(user: "carol "))
    }

    @Test func topicsHaveTwoDigitsSoNoneIsAPrefixOfAnother() {
        #expect(VirtualShard.topic(7) == "tokens.s07")
        #expect(VirtualShard.topic(63, base: "t") == "t.s63")
        let topics = (0..<VirtualShard.count).map { VirtualShard.topic($0) }
        for a in topics { for b in topics where a != b { #expect(!b.hasPrefix(a)) } }
    }

    @Test func aDaemonSubscribesToItsShardsOrToEverything() throws {
        #expect(EventsConfiguration().subscriptions == ["tokens"])
        let configuration = try ConfigurationLoader.load(yaml: "events:\n  shards: [3, 1, 3]\n", file: "s.yaml")
        #expect(configuration.events.shards == [1, 3])
        #expect(configuration.events.subscriptions == ["tokens.s01", "tokens.s03"])
        #expect(throws: ConfigurationError.self) {
            try ConfigurationLoader.load(yaml: "events:\n  shards: [64]\n", file: "s.yaml")
        }
    }
}
