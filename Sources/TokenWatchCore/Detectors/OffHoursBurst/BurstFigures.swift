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
                ("progress_share", novelty.map { .number($0) } ?? .text("unknown")),
                ("churn_share", novelty.map { .number(((1 - $0) * 100).rounded() / 100) } ?? .text("unknown")),
                ("progress_calls", .integer(newCalls)),
                ("judged_calls", .integer(judgedCalls)),
            ],
            threshold: configuration.thresholds(\.minTokens, \.multiplier)
                + [("limit_tokens", .integer(Int64(limit.rounded(.up))))]
                + configuration.thresholds(\.maxNovelty, \.criticalChurnShare),
            summary: "\(tokens) tokens in \(calls) calls outside work hours within \(windowMinutes) min, "
                + "against a usual \(baseline) per hour, "
                + (judgedCalls > 0
                    ? "\(Int(((1 - (novelty ?? 0)) * 100).rounded()))% of its tokens churn: progress in \(newCalls) of "
                        + "\(judgedCalls) judged calls (\(Int(((novelty ?? 0) * 100).rounded()))% of their tokens)"
                    : "content and context unknown (judged by volume)"),
            evidence: evidence.ids)
    }
}
