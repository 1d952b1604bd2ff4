import Testing

@testable import TokenWatchCore

@Suite("ReachedAgents")
struct ReachedAgentsTests {
    @Test func levelsAreTheAgentsReachedSinceTheLastAndEachAgentIsReachedOnce() {
        var reached = ReachedAgents(from: "start")
        #expect(reached.nextLevel() == 0..<1)
        reached.reach("a", from: 0)
        reached.reach("b", from: 0)
        reached.reach("a", from: 0)
        reached.reach("start", from: 0)
        #expect(reached.nextLevel() == 1..<3)
        reached.reach("c", from: 2)
        #expect(reached.nextLevel() == 3..<4)
        #expect(reached.nextLevel() == nil)
        #expect(reached.route(to: 3) == ["b", "c"])
        #expect(reached.route(to: 0) == [])
    }

    /// Past sixteen agents names are found in a set: the same answers as comparing them one by one.
    @Test func manyAgentsAreStillReachedOnceEach() {
        var reached = ReachedAgents(from: "start")
        _ = reached.nextLevel()
        for round in 0..<2 {
            for n in 0..<40 { reached.reach("agent\(n)", from: 0) }
            #expect(reached.nextLevel() == (round == 0 ? 1..<41 : nil))
        }
        reached.reach("start", from: 5)
        reached.reach("last", from: 40)
        #expect(reached.nextLevel() == 41..<42)
        #expect(reached.route(to: 41) == ["agent39", "last"])
        #expect(reached.agent(at: 17) == "agent16")
    }
}
