import Foundation
import Logging
import Synchronization
import TokenWatchRuntime

/// Keeps one Alertmanager told: every open incident is posted again each `resend_interval` with `endsAt` four
/// intervals ahead (so it stays active while TokenWatch is up, and expires on its own if the forwarder
/// disappears), and each resolution until Alertmanager accepted it once. The set survives restarts in the
/// state directory. A batch refused with 400 holds an alert Alertmanager will never take: the batch is split
/// until that alert stands alone, and only it is dead-lettered.
package final class AlertmanagerSink: Sendable {
    package let name: String
    let endpoint: String
    let file: URL
    let delivery: HTTPDelivery
    let settings: ReceiverSettings
    let metrics: ForwardMetrics
    let deadLetters: DeadLetters
    let logger: Logger
    private let state: Mutex<AlertmanagerState>
    private let changes = Atomic<UInt64>(0)

    package init(
        name: String, baseURL: String, directory: URL, delivery: HTTPDelivery, settings: ReceiverSettings,
        metrics: ForwardMetrics, deadLetters: DeadLetters, logger: Logger
    ) {
        self.name = name
        endpoint = (baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL) + "/api/v2/alerts"
        file = directory.appendingPathComponent("alerts.json")
        self.delivery = delivery
        self.settings = settings
        self.metrics = metrics
        self.deadLetters = deadLetters
        self.logger = logger
        let saved = (try? Data(contentsOf: file)).flatMap {
            try? JSONDecoder().decode(AlertmanagerState.self, from: $0)
        }
        state = Mutex(saved ?? AlertmanagerState())
    }

    /// Records an alert and saves the set (before the cursor moves past the alert). The file is written
    /// under the lock: the delivery loop saves the same file after each round.
    package func apply(_ alert: ForwardedAlert) throws {
        try state.withLock { state in
            var next = state
            next.apply(alert)
            try DurableFile.replace(file, with: try JSONEncoder().encode(next))
            state = next
        }
        changes.add(1, ordering: .releasing)
    }

    package func run() async {
        var backoff = Backoff(initial: settings.initialBackoff, maximum: settings.maxBackoff)
        var sentChanges: UInt64? = nil
        var lastRound = ContinuousClock.now
        while !Task.isCancelled {
            let current = changes.load(ordering: .acquiring)
            guard current != sentChanges || ContinuousClock.now - lastRound >= settings.resendInterval else {
                try? await Task.sleep(for: ReceiverSettings.idlePoll)
                continue
            }
            if let wait = await round() {
                try? await Task.sleep(for: min(wait, backoff.failed()))
            } else {
                backoff.succeeded()
                sentChanges = current
                lastRound = ContinuousClock.now
            }
        }
    }

    /// Posts the pending set; the wait before retrying when it failed.
    private func round() async -> Duration? {
        let batch = state.withLock { $0.pending }
        metrics.openAlerts(name, batch.filter { $0.resolvedAt == nil }.count)
        guard !batch.isEmpty else { return nil }
        let now = Date()
        let openUntil = AlertmanagerClock.text(now.addingTimeInterval(4 * settings.resendInterval.timeInterval))
        var work = [batch[...]]
        var delivered: [AlertmanagerAlert] = []
        var refused: [AlertmanagerAlert] = []
        defer { settle(delivered: delivered, refused: refused, now: now, openUntil: openUntil) }
        while let part = work.popLast() {
            let objects = part.map { $0.json(openUntil: openUntil, now: now) }
            guard let body = try? JSONSerialization.data(withJSONObject: objects, options: [.sortedKeys]) else {
                return nil
            }
            let result = await delivery.post(endpoint, body: [UInt8](body), headers: [])
            metrics.delivery(name, result)
            switch result {
            case .delivered:
                delivered += part
            case .refused(400) where part.count > 1:
                // Alertmanager refuses a batch for one invalid alert: halves are sent until it stands alone.
                work += [part[(part.startIndex + part.count / 2)...], part[..<(part.startIndex + part.count / 2)]]
            case .refused(400):
                refused += part
            case .refused(let status):
                logger.error(
                    "Alertmanager refused the alerts (not an invalid alert: its URL, or its authorisation?)",
                    metadata: ["receiver": "\(name)", "status": "\(status)"])
                return nil
            case .retry(let reason):
                logger.warning(
                    "Alertmanager unreachable; will retry", metadata: ["receiver": "\(name)", "reason": "\(reason)"])
                return settings.maxBackoff
            }
        }
        return nil
    }

    /// Records what Alertmanager took (resolutions done) and what it refused for good (dead-lettered, each
    /// logged with its alert id), and saves the set.
    private func settle(delivered: [AlertmanagerAlert], refused: [AlertmanagerAlert], now: Date, openUntil: String) {
        guard !delivered.isEmpty || !refused.isEmpty else { return }
        for alert in refused {
            let id = alert.annotations["tokenwatch_alert_id"] ?? ""
            let body =
                (try? JSONSerialization.data(withJSONObject: alert.json(openUntil: openUntil, now: now))) ?? Data()
            let kept = deadLetters.keep(
                receiver: name, id: id, reason: "refused", detail: "HTTP 400", body: [UInt8](body))
            metrics.deadLetter(name, reason: "refused")
            logger.error(
                "Alertmanager alert dead-lettered",
                metadata: [
                    "receiver": "\(name)", "id": "\(id)", "incident": "\(alert.labels["incident"] ?? "")",
                    "reason": "refused", "detail": "HTTP 400", "kept": "\(kept?.lastPathComponent ?? "none")",
                ])
        }
        state.withLock { state in
            state.delivered(delivered)
            for alert in refused { state.gaveUp(alert) }
            if let data = try? JSONEncoder().encode(state) { try? DurableFile.replace(file, with: data) }
        }
    }
}
