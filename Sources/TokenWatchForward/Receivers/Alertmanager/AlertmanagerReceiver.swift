import Foundation
import Synchronization
import TokenWatchRuntime

/// Keeps one Alertmanager told: every open incident is posted again each `resend_interval` with `endsAt` four
/// intervals ahead (so it stays active while TokenWatch is up, and expires on its own if the forwarder
/// disappears), and each resolution until Alertmanager accepted it once. The set survives restarts in the
/// state directory. A batch refused with 400 holds an alert Alertmanager will never take: the batch is split
/// until that alert stands alone, and only it is dead-lettered.
package final class AlertmanagerReceiver: ForwardReceiver {
    package let name: String
    let endpoint: String
    /// `resend_interval`: the open set is posted again this often, each alert's `endsAt` four of these ahead.
    let resendInterval: Duration
    let file: URL
    private let state: Mutex<AlertmanagerState>
    private let changes = Atomic<UInt64>(0)
    /// The changes the last accepted round carried, and when it was sent: the next round is due at the next
    /// change or after `resend_interval`.
    private let lastRound = Mutex<(changes: UInt64?, at: ContinuousClock.Instant)>((nil, .now))

    package init(name: String, baseURL: String, resendInterval: Duration, directory: URL) {
        self.name = name
        self.resendInterval = resendInterval
        endpoint = (baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL) + "/api/v2/alerts"
        file = directory.appendingPathComponent("alerts.json")
        let saved = (try? Data(contentsOf: file)).flatMap {
            try? JSONDecoder().decode(AlertmanagerState.self, from: $0)
        }
        state = Mutex(saved ?? AlertmanagerState())
    }

    /// Records an alert and saves the set (before the cursor moves past the alert). The file is written
    /// under the lock: the delivery loop saves the same file after each round.
    package func stage(_ alert: ForwardedAlert, order: UInt64) throws {
        try state.withLock { state in
            var next = state
            next.apply(alert)
            try DurableFile.replace(file, with: try JSONEncoder().encode(next))
            state = next
        }
        changes.add(1, ordering: .releasing)
    }

    /// Posts the pending set when something changed since the last accepted round, or `resend_interval` passed.
    package func notify(_ channel: ReceiverChannel) async -> NotifyResult {
        let current = changes.load(ordering: .acquiring)
        let due = lastRound.withLock { last in
            current != last.changes || ContinuousClock.now - last.at >= resendInterval
        }
        guard due else { return .idle }
        if let failure = await round(channel) { return failure }
        lastRound.withLock { $0 = (current, ContinuousClock.now) }
        return .delivered
    }

    /// Posts the pending set; what to retry when Alertmanager could not be reached.
    private func round(_ channel: ReceiverChannel) async -> NotifyResult? {
        let batch = state.withLock { $0.pending }
        channel.metrics.openAlerts(name, batch.filter { $0.resolvedAt == nil }.count)
        guard !batch.isEmpty else { return nil }
        let now = Date()
        let openUntil = AlertmanagerClock.text(now.addingTimeInterval(4 * resendInterval.timeInterval))
        var work = [batch[...]]
        var delivered: [AlertmanagerAlert] = []
        var refused: [AlertmanagerAlert] = []
        defer { settle(delivered: delivered, refused: refused, now: now, openUntil: openUntil, channel) }
        while let part = work.popLast() {
            let objects = part.map { $0.json(openUntil: openUntil, now: now) }
            guard let body = try? JSONSerialization.data(withJSONObject: objects, options: [.sortedKeys]) else {
                return nil
            }
            switch await channel.post(endpoint, body: [UInt8](body), headers: []) {
            case .delivered:
                delivered += part
            case .refused(400) where part.count > 1:
                // Alertmanager refuses a batch for one invalid alert: halves are sent until it stands alone.
                work += [part[(part.startIndex + part.count / 2)...], part[..<(part.startIndex + part.count / 2)]]
            case .refused(400):
                refused += part
            case .refused(let status):
                channel.logger.error(
                    "Alertmanager refused the alerts (not an invalid alert: its URL, or its authorisation?)",
                    metadata: ["receiver": "\(name)", "status": "\(status)"])
                return nil
            case .retry(let reason):
                return .retry(message: "Alertmanager unreachable; will retry", metadata: ["reason": reason])
            }
        }
        return nil
    }

    /// Records what Alertmanager took (resolutions done) and what it refused for good (dead-lettered), and
    /// saves the set.
    private func settle(
        delivered: [AlertmanagerAlert], refused: [AlertmanagerAlert], now: Date, openUntil: String,
        _ channel: ReceiverChannel
    ) {
        guard !delivered.isEmpty || !refused.isEmpty else { return }
        for alert in refused {
            let body =
                (try? JSONSerialization.data(withJSONObject: alert.json(openUntil: openUntil, now: now))) ?? Data()
            channel.giveUp(
                "Alertmanager alert", id: alert.annotations["tokenwatch_alert_id"] ?? "", reason: "refused",
                detail: "HTTP 400", body: [UInt8](body), metadata: ["incident": alert.labels["incident"] ?? ""])
        }
        state.withLock { state in
            state.delivered(delivered)
            for alert in refused { state.gaveUp(alert) }
            if let data = try? JSONEncoder().encode(state) { try? DurableFile.replace(file, with: data) }
        }
    }
}
