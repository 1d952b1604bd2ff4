import Testing

@testable import TokenWatchCore

/// A gateway that flushes its buffer after a network break sends events late: they must be detected as if
/// on time, as one incident with one resolve, not as a firing and a resolve per event, and not forgotten.
@Suite("Late backlogs")
struct LateBacklogTests {
    static let ten = EventTime(rfc3339: "2026-11-02T10:00:00Z")!

    func event(_ user: String, at time: EventTime, id: String, agent: String? = nil, prompt: String? = nil)
        -> TokenEvent
    {
        TokenEvent(
            time: time, user: user, inputTokens: 100, outputTokens: 10, id: id, agent: agent, parent: agent,
            prompt: prompt.map { PromptFingerprint(text: $0) })
    }

    /// Bob is at `now`; alice's 30 near-identical prompts, about 40 s apart (as a person types: 25 to 55 s),
    /// end `late` before it.
    func aliceBacklog(late: Duration) -> [Alert] {
        var engine = DetectionEngine(configuration: TokenWatchConfiguration())
        var alerts: [Alert] = []
        engine.process(
            event("bob", at: Self.ten, id: "b0", prompt: "a fresh question about the roadmap"), into: &alerts)
        let gaps = (0..<29).map { Int64(25 + ($0 * 17) % 31) }
        var time = Self.ten - late - .seconds(gaps.reduce(0, +))
        for n in 0..<30 {
            if n > 0 { time = time + .seconds(gaps[n - 1]) }
            engine.process(
                event(
                    "alice", at: time, id: "a\(n)",
                    prompt: "summarise the quarterly budget review \(n % 2 == 0 ? "now" : "please")"),
                into: &alerts)
        }
        // Bob goes on: event time moves well past alice's backlog.
        engine.process(event("bob", at: Self.ten + .seconds(3600), id: "b1", prompt: "another question"), into: &alerts)
        return alerts.filter { $0.subject.user == "alice" }
    }

    @Test(arguments: [600, 5400])
    func aBacklogIsOneIncidentWithOneResolve(lateSeconds: Int) {
        let alice = aliceBacklog(late: .seconds(Int64(lateSeconds)))
        #expect(alice.map(\.state) == [.firing, .resolved])
        #expect(alice.allSatisfy { $0.detector == .repetitivePrompts })
    }

    /// An agent that triggered itself 25 times in 10 minutes, arriving 90 minutes late: still a loop.
    @Test func aLateAgentLoopIsStillALoop() {
        var engine = DetectionEngine(configuration: TokenWatchConfiguration())
        var alerts: [Alert] = []
        engine.process(
            event("bob", at: Self.ten, id: "b0", prompt: "a fresh question about the roadmap"), into: &alerts)
        let start = Self.ten - .seconds(100 * 60)
        for n in 0..<25 {
            engine.process(
                event("ops", at: start + .seconds(Int64(n) * 20), id: "l\(n)", agent: "sorter"), into: &alerts)
        }
        #expect(alerts.filter { $0.detector == .agentLoop && $0.state == .firing }.count == 1)
    }
}
