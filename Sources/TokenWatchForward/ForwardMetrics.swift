import CoreMetrics
import TokenWatchRuntime

/// The forwarder's metrics. Receivers are labelled by kind and position in the configuration
/// (`webhook-0`), never by URL: webhook URLs often carry their own secret.
package struct ForwardMetrics: Sendable {
    package static let help: [String: String] = [
        "tokenwatch_forward_alerts_total":
            "Alerts taken from the daemon (live or caught up) and handed to every receiver.",
        "tokenwatch_forward_catchups_total": "Catch-up requests made after a gap, a reconnect or a start.",
        "tokenwatch_forward_deliveries_total": "Delivery attempts, by receiver and result (delivered, retry, refused).",
        "tokenwatch_forward_dead_letters_total":
            "Deliveries given up, by receiver and reason (refused, expired: older than max_retry_age, overflow, unreadable).",
        "tokenwatch_forward_queue_depth": "Deliveries waiting, by receiver.",
        "tokenwatch_forward_open_alerts": "Incidents open at each Alertmanager, re-sent every resend_interval.",
    ].merging(BuildInfoMetric.help) { own, _ in own }

    private let factory: any MetricsFactory

    package init(factory: any MetricsFactory, version: String) {
        self.factory = factory
        BuildInfoMetric.record(version: version, factory: factory)
    }

    package func alerts(_ count: Int) {
        Counter(label: "tokenwatch_forward_alerts_total", factory: factory).increment(by: Int64(count))
    }

    package func catchup() { Counter(label: "tokenwatch_forward_catchups_total", factory: factory).increment() }

    package func delivery(_ receiver: String, _ result: HTTPDelivery.Result) {
        let name: String
        switch result {
        case .delivered: name = "delivered"
        case .retry: name = "retry"
        case .refused: name = "refused"
        }
        Counter(
            label: "tokenwatch_forward_deliveries_total", dimensions: [("receiver", receiver), ("result", name)],
            factory: factory
        ).increment()
    }

    package func deadLetter(_ receiver: String, reason: String) {
        Counter(
            label: "tokenwatch_forward_dead_letters_total", dimensions: [("receiver", receiver), ("reason", reason)],
            factory: factory
        ).increment()
    }

    package func queueDepth(_ receiver: String, _ depth: Int) {
        Gauge(label: "tokenwatch_forward_queue_depth", dimensions: [("receiver", receiver)], factory: factory)
            .record(depth)
    }

    package func openAlerts(_ receiver: String, _ count: Int) {
        Gauge(label: "tokenwatch_forward_open_alerts", dimensions: [("receiver", receiver)], factory: factory)
            .record(count)
    }
}
