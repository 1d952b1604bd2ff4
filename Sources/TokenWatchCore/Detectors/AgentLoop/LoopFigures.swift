/// The figures of a loop, kept in its finding for the alert's text (worked out only when an alert is made,
/// see ``Finding``).
struct LoopFigures: Sendable {
    var key: LoopKey
    var tally: LoopTally
    var perMinute: Double
    var windowMinutes: Int64
    var minIterations: Int

    func details(_ configuration: AgentLoopConfiguration, evidence: EvidenceRing) -> FindingDetails {
        let description: String
        switch key.kind {
        case .selfTrigger: description = "agent \(key.members[0]) triggered itself"
        case .outputFeedback: description = "agent \(key.members[0]) was fed its own output"
        case .cycle:
            description = "agents \((key.members + [key.members[0]]).joined(separator: " → ")) triggered each other"
        }
        return FindingDetails(
            observed: [
                ("kind", .text(key.kind.rawValue)),
                ("members", .list(key.members)),
                ("iterations", .integer(Int64(tally.iterations))),
                ("per_minute", .number(perMinute)),
                ("window_seconds", .integer(windowMinutes * 60)),
                ("progress_share", tally.judged > 0 ? .number(tally.progressShare) : .text("unknown")),
                ("progress_iterations", .integer(Int64(tally.progress))),
                ("judged_iterations", .integer(Int64(tally.judged))),
                ("context_grew", .integer(Int64(tally.grew))),
                ("same_result", .integer(Int64(tally.sameResult))),
                ("context_resent", .integer(Int64(tally.resent))),
            ],
            // The iterations needed are the rule's that fired (fast or slow), not always `min_iterations`.
            threshold: [("min_iterations", .integer(Int64(minIterations)))]
                + configuration.thresholds(\.maxCycleLength, \.maxNovelty),
            summary: "\(description) \(tally.iterations) times within \(windowMinutes) min, \(tally.reason)",
            evidence: evidence.ids)
    }
}
