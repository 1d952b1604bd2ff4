import CoreMetrics
import Prometheus

/// A swift-metrics factory over a Prometheus registry that gives every metric family its HELP text.
///
/// swift-prometheus's own `PrometheusMetricsFactory` creates every family with empty help (swift-metrics
/// has no place for it), and the registry refuses two different help texts for one name. So this factory
/// looks the help up by name in a catalogue and creates each metric through the registry's own API with it;
/// a name missing from the catalogue is a programming error, caught by the tests that run
/// `promtool check metrics`.
public struct DocumentedPrometheusFactory: MetricsFactory {
    public let registry: PrometheusCollectorRegistry
    private let help: [String: String]
    private let durationBuckets: [Duration]

    /// `help` maps each metric name to its HELP text; durations are recorded in `durationBuckets`.
    public init(registry: PrometheusCollectorRegistry, help: [String: String], durationBuckets: [Duration]) {
        self.registry = registry
        self.help = help
        self.durationBuckets = durationBuckets
    }

    /// The metric named `label` whole, with its HELP text. The name is not split into namespace and unit: the
    /// labels are the names, as the catalogue and the documentation give them.
    private func descriptor(_ label: String) -> MetricNameDescriptor {
        guard let text = help[label] else { preconditionFailure("metric \(label) has no HELP text in the catalogue") }
        return MetricNameDescriptor(metricName: label, unitName: "", helpText: text)
    }

    public func makeCounter(label: String, dimensions: [(String, String)]) -> any CounterHandler {
        registry.makeCounter(descriptor: descriptor(label), labels: dimensions)
    }

    public func makeFloatingPointCounter(label: String, dimensions: [(String, String)])
        -> any FloatingPointCounterHandler
    {
        registry.makeCounter(descriptor: descriptor(label), labels: dimensions)
    }

    public func makeRecorder(label: String, dimensions: [(String, String)], aggregate: Bool) -> any RecorderHandler {
        precondition(!aggregate, "TokenWatch records values as gauges; histograms are timers")
        return registry.makeGauge(descriptor: descriptor(label), labels: dimensions)
    }

    public func makeMeter(label: String, dimensions: [(String, String)]) -> any MeterHandler {
        registry.makeGauge(descriptor: descriptor(label), labels: dimensions)
    }

    public func makeTimer(label: String, dimensions: [(String, String)]) -> any TimerHandler {
        registry.makeDurationHistogram(descriptor: descriptor(label), labels: dimensions, buckets: durationBuckets)
    }

    public func destroyCounter(_ handler: any CounterHandler) {
        if let counter = handler as? Prometheus.Counter { registry.unregisterCounter(counter) }
    }

    public func destroyFloatingPointCounter(_ handler: any FloatingPointCounterHandler) {
        if let counter = handler as? Prometheus.Counter { registry.unregisterCounter(counter) }
    }

    public func destroyRecorder(_ handler: any RecorderHandler) {
        if let gauge = handler as? Prometheus.Gauge { registry.unregisterGauge(gauge) }
    }

    public func destroyMeter(_ handler: any MeterHandler) {
        if let gauge = handler as? Prometheus.Gauge { registry.unregisterGauge(gauge) }
    }

    public func destroyTimer(_ handler: any TimerHandler) {
        if let histogram = handler as? DurationHistogram { registry.unregisterDurationHistogram(histogram) }
    }
}
