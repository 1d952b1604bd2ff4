import Foundation
import Logging
import Synchronization

/// Delivers one webhook's queue in order: each alert's payload as the body, signed, with the alert id in
/// `X-TokenWatch-Alert-Id` so that a receiver can drop the rare repeat (a response lost after the receiver
/// took the request). A failing delivery is retried with backoff and holds back those behind it, so the
/// receiver sees alerts in order; past `max_retry_age`, refused with a 4xx, or pushed out of a full queue, it
/// is dead-lettered: kept in ``DeadLetters`` with its reason, counted and logged with the alert id.
package final class WebhookSink: Sendable {
    package let name: String
    let url: String
    let key: [UInt8]?
    package let queue: WebhookQueue
    let delivery: HTTPDelivery
    let settings: ReceiverSettings
    let metrics: ForwardMetrics
    let deadLetters: DeadLetters
    let logger: Logger

    package init(
        name: String, url: String, key: [UInt8]?, queue: WebhookQueue, delivery: HTTPDelivery,
        settings: ReceiverSettings, metrics: ForwardMetrics, deadLetters: DeadLetters, logger: Logger
    ) {
        self.name = name
        self.url = url
        self.key = key
        self.queue = queue
        self.delivery = delivery
        self.settings = settings
        self.metrics = metrics
        self.deadLetters = deadLetters
        self.logger = logger
    }

    package func run() async {
        var backoff = Backoff(initial: settings.initialBackoff, maximum: settings.maxBackoff)
        while !Task.isCancelled {
            var files = queue.pending()
            while files.count > settings.maxQueue {
                let file = files.removeFirst()
                giveUp(
                    file, body: (try? [UInt8](Data(contentsOf: file))) ?? [], reason: "overflow",
                    detail: "more than max_queue (\(settings.maxQueue)) deliveries waiting")
            }
            metrics.queueDepth(name, files.count)
            guard let file = files.first else {
                try? await Task.sleep(for: ReceiverSettings.idlePoll)
                continue
            }
            if let wait = await deliver(file, backoff: &backoff) {
                try? await Task.sleep(for: wait)
            }
        }
    }

    /// One attempt; the wait before the next one when it should be retried.
    private func deliver(_ file: URL, backoff: inout Backoff) async -> Duration? {
        guard let body = try? [UInt8](Data(contentsOf: file)) else {
            giveUp(file, body: [], reason: "unreadable", detail: "the queued file cannot be read")
            return nil
        }
        var headers = [("X-TokenWatch-Alert-Id", WebhookQueue.alertID(of: file))]
        if let key { headers.append((WebhookSignature.header, WebhookSignature.value(body: body, key: key))) }
        let result = await delivery.post(url, body: body, headers: headers)
        metrics.delivery(name, result)
        switch result {
        case .delivered:
            queue.remove(file)
            backoff.succeeded()
            return nil
        case .refused(let status):
            giveUp(file, body: body, reason: "refused", detail: "HTTP \(status)")
            return nil
        case .retry(let reason):
            if Date().timeIntervalSince(queue.queuedAt(file)) > settings.maxRetryAge.timeInterval {
                giveUp(file, body: body, reason: "expired", detail: reason)
                return nil
            }
            let wait = backoff.failed()
            logger.warning(
                "webhook delivery failed; will retry",
                metadata: [
                    "receiver": "\(name)", "id": "\(WebhookQueue.alertID(of: file))", "reason": "\(reason)",
                    "retry_in": "\(wait)",
                ])
            return wait
        }
    }

    /// Moves a delivery out of the queue into the dead letters, counted and logged with its alert id.
    private func giveUp(_ file: URL, body: [UInt8], reason: String, detail: String) {
        let id = WebhookQueue.alertID(of: file)
        let kept = deadLetters.keep(receiver: name, id: id, reason: reason, detail: detail, body: body)
        queue.remove(file)
        metrics.deadLetter(name, reason: reason)
        logger.error(
            "webhook delivery dead-lettered",
            metadata: [
                "receiver": "\(name)", "id": "\(id)", "reason": "\(reason)", "detail": "\(detail)",
                "kept": "\(kept?.lastPathComponent ?? "none")",
            ])
    }
}
