import Foundation
import Testing

@testable import TokenWatchCore

@Suite("Trigger edges of one parent")
struct TriggerTargetsTests {
    /// SplitMix64, so a failure can be replayed.
    private struct SplitMix {
        var state: UInt64
        mutating func next(below bound: Int) -> Int {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return Int((z ^ (z >> 31)) % UInt64(bound))
        }
    }

    /// Long random runs of edges give what a dictionary kept the way the detector kept it before gives: the
    /// same targets with the same times, the stalest forgotten at the cap. Times are distinct (no ties to break)
    /// but out of order, as late events make them.
    @Test(arguments: [1, 2, 3, 8])
    func keepsWhatADictionaryKeeps(limit: Int) {
        var random = SplitMix(state: UInt64(limit))
        var targets = TriggerTargets()
        var oracle: [String: EventTime] = [:]
        let agents = (0..<(2 * limit + 3)).map { "agent-\($0)" }
        for step in 0..<5_000 {
            let agent = agents[random.next(below: agents.count)]
            let time = EventTime(milliseconds: Int64(step * 10 + random.next(below: 2_000) * 10_000 + 1))
            if let seen = oracle[agent] {
                if time > seen { oracle[agent] = time }
            } else {
                if oracle.count >= limit, let stalest = oracle.min(by: { $0.value < $1.value })?.key {
                    oracle[stalest] = nil
                }
                oracle[agent] = time
            }
            targets.record(agent, at: time, keepingAtMost: limit)
            #expect(targets.count == oracle.count, "step \(step)")
            #expect(targets.byAgent.map(\.agent) == oracle.keys.sorted(), "step \(step)")
            for name in agents { #expect(targets.seen(name) == oracle[name], "step \(step) \(name)") }
        }
    }

    /// Of equally stale targets, the first kept goes.
    @Test func ofEquallyStaleTargetsTheFirstKeptGoes() {
        var targets = TriggerTargets()
        let time = EventTime(milliseconds: 1_000)
        targets.record("b", at: time, keepingAtMost: 2)
        targets.record("a", at: time, keepingAtMost: 2)
        targets.record("c", at: time + .seconds(1), keepingAtMost: 2)
        #expect(targets.byAgent.map(\.agent) == ["a", "c"])
    }

    /// Checkpoints keep a parent's edges as a dictionary from agent to time, and still do: what is written is
    /// what a dictionary of the same edges writes, and such a dictionary restores.
    @Test func codedAsADictionary() throws {
        var targets = TriggerTargets()
        let edges = [
            "planner": EventTime(milliseconds: 5_000), "critic": EventTime(milliseconds: 7_000),
            "writer": EventTime(milliseconds: 6_000),
        ]
        for (agent, seen) in edges { targets.record(agent, at: seen, keepingAtMost: 64) }
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        #expect(try encoder.encode(targets) == encoder.encode(edges))
        let restored = try JSONDecoder().decode(TriggerTargets.self, from: encoder.encode(edges))
        #expect(restored.byAgent == targets.byAgent)
        #expect(restored.seen("critic") == EventTime(milliseconds: 7_000) && restored.seen("nobody") == nil)
    }
}
