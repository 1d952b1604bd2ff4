import CoreMetrics
import TokenWatchOTLP
import TokenWatchRuntime

/// The bridge's metrics, through swift-metrics (Prometheus in `main`).
package struct BridgeMetrics: Sendable {
    /// Every metric family the bridge exports, with its HELP text.
    package static let help: [String: String] = [
        "tokenwatch_bridge_requests_total": "OTLP/HTTP export requests, by signal (traces, logs) and response status.",
        "tokenwatch_bridge_records_total":
            "Spans and log records received, by signal and outcome (published, rejected, ignored: not a model call; "
            + "joined: a log record merged into its span's call).",
        "tokenwatch_bridge_records_rejected_total":
            "Records describing a model call that could not become an event, by reason.",
        "tokenwatch_bridge_daemon_connected": "1 while a daemon is subscribed to the bridge's events, else 0.",
        "tokenwatch_bridge_joins_waiting":
            "Spans whose log records wait for them to arrive, and calls of such records that wait for a daemon.",
    ].merging(BuildInfoMetric.help) { own, _ in own }

    private let factory: any MetricsFactory

    package init(factory: any MetricsFactory, version: String) {
        self.factory = factory
        BuildInfoMetric.record(version: version, factory: factory)
    }

    package func request(signal: String, status: Int) {
        Counter(
            label: "tokenwatch_bridge_requests_total", dimensions: [("signal", signal), ("status", String(status))],
            factory: factory
        ).increment()
    }

    package func records(signal: String, _ translation: OTLPTranslation, published: Bool) {
        func add(_ outcome: String, _ count: Int) {
            guard count > 0 else { return }
            Counter(
                label: "tokenwatch_bridge_records_total", dimensions: [("signal", signal), ("outcome", outcome)],
                factory: factory
            ).increment(by: Int64(count))
        }
        if published { add("published", translation.events.count) }
        add("rejected", translation.rejectedCount)
        add("ignored", translation.ignored)
        add("joined", translation.joined)
        for (reason, count) in translation.rejected {
            Counter(
                label: "tokenwatch_bridge_records_rejected_total", dimensions: [("reason", reason.rawValue)],
                factory: factory
            ).increment(by: Int64(count))
        }
    }

    /// Calls of log records waiting for a daemon, dropped when too many waited.
    package func dropped(_ count: Int) {
        Counter(
            label: "tokenwatch_bridge_records_rejected_total", dimensions: [("reason", "no_daemon")], factory: factory
        )
        .increment(by: Int64(count))
    }

    package func joinsWaiting(_ count: Int) {
        Gauge(label: "tokenwatch_bridge_joins_waiting", factory: factory).record(count)
    }

    package func daemonConnected(_ connected: Bool) {
        Gauge(label: "tokenwatch_bridge_daemon_connected", factory: factory).record(connected ? 1 : 0)
    }
}
