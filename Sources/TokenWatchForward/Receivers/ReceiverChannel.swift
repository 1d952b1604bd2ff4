import Foundation
import Logging

/// What a receiver's attempt sends through, bound to one receiver: the shared HTTP client, each request
/// counted by result, and the dead letters, each kept, counted and logged with its alert id.
package struct ReceiverChannel: Sendable {
    package let receiver: String
    package let settings: ReceiverSettings
    package let metrics: ForwardMetrics
    let delivery: HTTPDelivery
    let deadLetters: DeadLetters
    let logger: Logger

    /// One POST, counted in `tokenwatch_forward_deliveries_total`.
    package func post(_ url: String, body: [UInt8], headers: [(String, String)]) async -> HTTPDelivery.Result {
        let result = await delivery.post(url, body: body, headers: headers)
        metrics.delivery(receiver, result)
        return result
    }

    /// Whether a delivery first queued at `queuedAt` has been retried for longer than `max_retry_age`.
    package func isExpired(queuedAt: Date) -> Bool {
        Date().timeIntervalSince(queuedAt) > settings.maxRetryAge.timeInterval
    }

    /// Gives a delivery up for good: keeps it in ``DeadLetters`` with its reason, counts it and logs
    /// "`what` dead-lettered" with the alert id and `metadata`.
    package func giveUp(
        _ what: String, id: String, reason: String, detail: String, body: [UInt8], metadata: [String: String] = [:]
    ) {
        let kept = deadLetters.keep(receiver: receiver, id: id, reason: reason, detail: detail, body: body)
        metrics.deadLetter(receiver, reason: reason)
        var fields: Logger.Metadata = [
            "receiver": "\(receiver)", "id": "\(id)", "reason": "\(reason)", "detail": "\(detail)",
            "kept": "\(kept?.lastPathComponent ?? "none")",
        ]
        for (key, value) in metadata { fields[key] = "\(value)" }
        logger.error("\(what) dead-lettered", metadata: fields)
    }
}
