import ArgumentParser
import TokenWatchClient
import TokenWatchCore

struct ShardCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "shard",
        abstract: "Print each user's virtual shard and event topic: which daemon of a sharded set owns them.",
        discussion: """
            The shard is FNV-1a 64 of the normalised user id, modulo 64 (README "Sharding"); \
            docs/tokenwatch_shard.py computes the same for Python publishers.
            """)

    @Argument(help: "User ids.")
    var users: [String]

    func run() {
        for user in users {
            let shard = VirtualShard.of(user: user)
            print("\(shard)\t\(VirtualShard.topic(shard))\t\(TerminalText.escaped(user))")
        }
    }
}
