/// The figures of an off-hours burst, kept in its finding for the alert's text (worked out only when an alert
/// is made, see ``Finding``).
struct BurstFigures: Sendable {
    var tokens: Int64
    var calls: Int64
    var baseline: Int64
    var windowMinutes: Int64
    var novelty: Double?
    var newCalls: Int64
    var judgedCalls: Int64
    var limit: Double

    func details(_ configuration: OffHoursBurstConfiguration, evidence: EvidenceRing) -> FindingDetails {
        FindingDetails(
            observed: [
                ("tokens", .integer(tokens)),
                ("calls", .integer(calls)),
                ("baseline_tokens_per_hour", .integer(baseline)),
                ("window_seconds", .integer(windowMinutes * 60)),
                ("novelty", novelty.map { .number($0) } ?? .text("unknown")),
                ("new_calls", .integer(newCalls)),
                ("judged_calls", .integer(judgedCalls)),
            ],
            threshold: [
                ("min_tokens", .integer(configuration.minTokens)),
                ("multiplier", .number(configuration.multiplier)),
                ("limit_tokens", .integer(Int64(limit.rounded(.up)))),
                ("max_novelty", .number(configuration.maxNovelty)),
            ],
            summary: "\(tokens) tokens in \(calls) calls outside work hours within \(windowMinutes) min, "
                + "against a usual \(baseline) per hour, "
                + (judgedCalls > 0
                    ? "new content in \(newCalls) of \(judgedCalls) calls (\(Int(((novelty ?? 0) * 100).rounded()))% of their tokens)"
                    : "content unknown"),
            evidence: evidence.ids)
    }
}
