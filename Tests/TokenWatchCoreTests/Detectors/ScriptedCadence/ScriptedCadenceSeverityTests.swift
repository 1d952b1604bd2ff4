import Testing

@testable import TokenWatchCore

/// Automation under a person's name that asks different things is worth a look (`warning`); a machine's
/// cadence with repeated or trivial content is padding (`critical`). With text and with hash-only events.
@Suite("scripted_cadence severity by content")
struct ScriptedCadenceSeverityTests {
    /// `calls` calls a minute apart (± 0.3 s: a schedule) whose content `content(n)` gives.
    func severity(calls: Int = 8, _ content: (Int) -> (prompt: String?, hash: String?)) -> AlertSeverity? {
        var engine = DetectionEngine(configuration: TokenWatchConfiguration())
        var alerts: [Alert] = []
        for n in 0..<calls {
            let jitter: Int64 = n % 2 == 1 ? 300 : 0
            let (prompt, hash) = content(n)
            engine.process(
                event(
                    "ops", at: monday + .milliseconds(Int64(n) * 60_000 + jitter), prompt: prompt, id: "c\(n)",
                    promptHash: hash),
                into: &alerts)
        }
        return alerts.first { $0.detector == .scriptedCadence }?.severity
    }

    static let tickets = [
        "alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india", "juliett", "kilo", "lima",
        "mike", "november", "oscar", "papa",
    ]

    /// Asking something new each time, the schedule must hold for twice `min_calls` (16) before it is reported.
    @Test func aBatchJobSummarisingDifferentTicketsIsAWarning() {
        let ticket = { (n: Int) in
            (prompt: "summarise ticket \(Self.tickets[n]) for the weekly report", hash: String?.none)
        }
        #expect(severity(calls: 16, ticket) == .warning)
        #expect(severity(calls: 16) { (prompt: nil, hash: "ticket-\($0)") } == .warning)
    }

    /// Eight steady calls in a row happen by chance among many honest jobs with natural jitter: with varied
    /// content, eight are not enough.
    @Test func eightSteadyCallsWithVariedContentAreNotYetAFinding() {
        #expect(severity(calls: 15) { (prompt: nil, hash: "ticket-\($0)") } == nil)
        #expect(
            severity(calls: 8) { (prompt: "summarise ticket \(Self.tickets[$0]) for the weekly report", hash: nil) }
                == nil)
    }

    @Test func theSamePromptOnAScheduleIsCritical() {
        #expect(severity { _ in (prompt: "generate the usual status digest for my manager", hash: nil) } == .critical)
        #expect(severity { _ in (prompt: nil, hash: "same-digest") } == .critical)
    }

    @Test func trivialPromptsOnAScheduleAreCritical() {
        #expect(severity { _ in (prompt: "ok continue", hash: nil) } == .critical)
    }
}
