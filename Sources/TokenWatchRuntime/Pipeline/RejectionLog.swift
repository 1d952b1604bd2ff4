import Logging
import TokenWatchCore

/// Logs rejected events at most once per reason every ten seconds, with the count in between: a flood of
/// bad input must not become a flood of log lines. Never logs payload text.
struct RejectionLog {
    let logger: Logger
    var lastLogged: [RejectionReason: ContinuousClock.Instant] = [:]
    var unlogged: [RejectionReason: Int] = [:]
    static let interval: Duration = .seconds(10)

    init(logger: Logger) { self.logger = logger }

    mutating func record(_ rejection: EventRejection) {
        let now = ContinuousClock.now
        if let last = lastLogged[rejection.reason], now - last < Self.interval {
            unlogged[rejection.reason, default: 0] += 1
            return
        }
        lastLogged[rejection.reason] = now
        let skipped = unlogged.removeValue(forKey: rejection.reason) ?? 0
        logger.warning(
            "event rejected",
            metadata: [
                "reason": "\(rejection.reason.rawValue)", "field": "\(rejection.field ?? "-")",
                "similar_since_last_log": "\(skipped)",
            ])
    }
}
