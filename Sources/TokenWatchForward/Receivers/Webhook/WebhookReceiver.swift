import Foundation

/// Delivers one webhook's queue in order: each alert's payload as the body, signed, with the alert id in
/// `X-TokenWatch-Alert-Id` so that a receiver can drop the rare repeat (a response lost after the receiver
/// took the request). A failing delivery is retried (by the ``RetryStage``) and holds back those behind it, so
/// the receiver sees alerts in order; past `max_retry_age`, refused with a 4xx, or pushed out of a full queue,
/// it is dead-lettered.
package struct WebhookReceiver: ForwardReceiver {
    package let name: String
    let url: String
    let key: [UInt8]?
    package let queue: WebhookQueue

    package init(name: String, url: String, key: [UInt8]?, queue: WebhookQueue) {
        self.name = name
        self.url = url
        self.key = key
        self.queue = queue
    }

    /// Writes the alert's payload to the queue's `incoming/`.
    package func stage(_ alert: ForwardedAlert, order: UInt64) throws { try queue.stage(alert, order: order) }

    /// Moves the staged payload into the queue.
    package func commit(_ alert: ForwardedAlert, order: UInt64) throws { try queue.commit(alert, order: order) }

    package func recover(handled: Set<String>) { queue.recover(handled: handled) }

    /// Trims the queue to `max_queue`, then tries the oldest delivery.
    package func notify(_ channel: ReceiverChannel) async -> NotifyResult {
        var files = queue.pending()
        while files.count > channel.settings.maxQueue {
            let file = files.removeFirst()
            giveUp(
                file, body: (try? [UInt8](Data(contentsOf: file))) ?? [], reason: "overflow",
                detail: "more than max_queue (\(channel.settings.maxQueue)) deliveries waiting", channel)
        }
        channel.metrics.queueDepth(name, files.count)
        guard let file = files.first else { return .idle }
        return await deliver(file, channel)
    }

    private func deliver(_ file: URL, _ channel: ReceiverChannel) async -> NotifyResult {
        guard let body = try? [UInt8](Data(contentsOf: file)) else {
            giveUp(file, body: [], reason: "unreadable", detail: "the queued file cannot be read", channel)
            return .gaveUp
        }
        let id = WebhookQueue.alertID(of: file)
        var headers = [("X-TokenWatch-Alert-Id", id)]
        if let key { headers.append((WebhookSignature.header, WebhookSignature.value(body: body, key: key))) }
        switch await channel.post(url, body: body, headers: headers) {
        case .delivered:
            queue.remove(file)
            return .delivered
        case .refused(let status):
            giveUp(file, body: body, reason: "refused", detail: "HTTP \(status)", channel)
            return .gaveUp
        case .retry(let reason):
            if channel.isExpired(queuedAt: queue.queuedAt(file)) {
                giveUp(file, body: body, reason: "expired", detail: reason, channel)
                return .gaveUp
            }
            return .retry(message: "webhook delivery failed; will retry", metadata: ["id": id, "reason": reason])
        }
    }

    /// Moves a delivery out of the queue into the dead letters.
    private func giveUp(_ file: URL, body: [UInt8], reason: String, detail: String, _ channel: ReceiverChannel) {
        channel.giveUp(
            "webhook delivery", id: WebhookQueue.alertID(of: file), reason: reason, detail: detail, body: body)
        queue.remove(file)
    }
}
