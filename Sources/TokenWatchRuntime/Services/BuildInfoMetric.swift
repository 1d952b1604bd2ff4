import CoreMetrics

/// `tokenwatch_build_info`, which every TokenWatch process exports (the daemon, the bridge, forward), so that
/// dashboards read the running version the same way from each.
public enum BuildInfoMetric {
    public static let help = ["tokenwatch_build_info": "Always 1; the version label says which build is running."]

    public static func record(version: String, factory: any MetricsFactory) {
        Gauge(label: "tokenwatch_build_info", dimensions: [("version", version)], factory: factory).record(1)
    }
}
