import Testing

@testable import TokenWatchCore

/// Automation under a person's name that asks different things is worth a look (`warning`); a machine's
/// cadence with repeated or trivial content is padding (`critical`). With text and with hash-only events.
@Suite("scripted_cadence severity by content")
struct ScriptedCadenceSeverityTests {
    /// Eight calls a minute apart (± 0.3 s: a schedule) whose content `content(n)` gives.
    func severity(_ content: (Int) -> (prompt: String?, hash: String?)) -> AlertSeverity? {
        var engine = DetectionEngine(configuration: TokenWatchConfiguration())
        var alerts: [Alert] = []
        for n in 0..<8 {
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

    @Test func aBatchJobSummarisingDifferentTicketsIsAWarning() {
        #expect(
            severity {
                (
                    prompt:
                        "summarise ticket \(["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel"][$0]) for the weekly report",
                    hash: nil
                )
            } == .warning)
        #expect(severity { (prompt: nil, hash: "ticket-\($0)") } == .warning)
    }

    @Test func theSamePromptOnAScheduleIsCritical() {
        #expect(severity { _ in (prompt: "generate the usual status digest for my manager", hash: nil) } == .critical)
        #expect(severity { _ in (prompt: nil, hash: "same-digest") } == .critical)
    }

    @Test func trivialPromptsOnAScheduleAreCritical() {
        #expect(severity { _ in (prompt: "ok continue", hash: nil) } == .critical)
    }
}
