import Foundation
import Logging
import Synchronization
import TokenWatchRuntime

/// Keeps one Alertmanager told: every open incident is posted again each `resend_interval` with `endsAt` four
/// intervals ahead (so it stays active while TokenWatch is up, and expires on its own if the forwarder
/// disappears), and each resolution until Alertmanager accepted it once. The set survives restarts in the
/// state directory.
package final class AlertmanagerSink: Sendable {
    package let name: String
    let endpoint: String
    let file: URL
    let delivery: HTTPDelivery
    let settings: ReceiverSettings
    let metrics: ForwardMetrics
    let logger: Logger
    private let state: Mutex<AlertmanagerState>
    private let changes = Atomic<UInt64>(0)

    package init(
        name: String, baseURL: String, directory: URL, delivery: HTTPDelivery, settings: ReceiverSettings,
        metrics: ForwardMetrics, logger: Logger
    ) {
        self.name = name
        endpoint = (baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL) + "/api/v2/alerts"
        file = directory.appendingPathComponent("alerts.json")
        self.delivery = delivery
        self.settings = settings
        self.metrics = metrics
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
        let objects = batch.map { $0.json(openUntil: openUntil, now: now) }
        guard let body = try? JSONSerialization.data(withJSONObject: objects, options: [.sortedKeys]) else {
            return nil
        }
        let result = await delivery.post(endpoint, body: [UInt8](body), headers: [])
        metrics.delivery(name, result)
        switch result {
        case .delivered:
            state.withLock { state in
                state.delivered(batch)
                if let data = try? JSONEncoder().encode(state) { try? DurableFile.replace(file, with: data) }
            }
            return nil
        case .refused(let status):
            metrics.deadLetter(name, reason: "refused")
            logger.error("Alertmanager refused the alerts", metadata: ["receiver": "\(name)", "status": "\(status)"])
            return nil
        case .retry(let reason):
            logger.warning(
                "Alertmanager unreachable; will retry", metadata: ["receiver": "\(name)", "reason": "\(reason)"])
            return settings.maxBackoff
        }
    }
}
