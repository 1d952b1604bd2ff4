import CoreMetrics
import TokenWatchCore

/// The daemon's metrics, through swift-metrics so the backend is chosen in `main` (Prometheus) and tests can
/// inject their own factory. The pipeline updates them once per batch from its running totals.
public final class PipelineMetrics: Sendable {
    public static let processingBuckets: [Duration] = [
        .microseconds(1), .microseconds(2), .microseconds(5), .microseconds(10), .microseconds(20), .microseconds(50),
        .microseconds(100), .microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(5),
        .milliseconds(25),
    ]

    /// Every metric family the daemon exports, with its HELP text: what Prometheus, Grafana and `promtool`
    /// show about it. ``DocumentedPrometheusFactory`` reads it.
    public static let help: [String: String] = [
        "tokenwatch_events_received_total": "Messages taken off the event socket, valid or not.",
        "tokenwatch_events_processed_total": "Events admitted and run through every detector.",
        "tokenwatch_events_late_total":
            "Processed events older than events.allowed_lateness behind the latest event time seen.",
        "tokenwatch_events_rejected_total":
            "Events dropped before detection, by reason (the event contract's reasons).",
        "tokenwatch_subjects_evicted_total": "Idle subjects forgotten to stay under state.max_tracked_subjects.",
        "tokenwatch_alerts_published_total":
            "Alerts sent on the alert socket, by detector and severity (resolved included).",
        "tokenwatch_alerts_awaiting_journal":
            "Alerts detected and waiting for the journal to write them before they are sent.",
        "tokenwatch_alerts_unjournaled_total":
            "Alerts sent without a journal entry because too many were waiting for the journal to write them.",
        "tokenwatch_alerts_dropped_total":
            "Alerts journaled but not sent because the alert socket failed (recoverable by catch-up).",
        "tokenwatch_journal_errors_total":
            "Alert journal segments that could not be opened and journal writes that failed (see the log).",
        "tokenwatch_auth_refusals_total": "Connections refused by CURVE authentication, by reason.",
        "tokenwatch_catchup_refusals_total": "Catch-up requests refused as malformed (since not a sequence number).",
        "tokenwatch_tokens_total":
            "Tokens (input plus output) of processed calls, by team and progress judgement (progress, churn, unknown).",
        "tokenwatch_calls_total": "Processed calls, by team and progress judgement (progress, churn, unknown).",
        "tokenwatch_tracked_subjects": "Subjects each detector holds state for.",
        "tokenwatch_open_incidents": "Incidents currently firing.",
        "tokenwatch_alert_subscriptions": "Topic subscriptions on the alert socket.",
        "tokenwatch_event_processing_seconds": "Detection time per event, averaged over each batch.",
        "tokenwatch_config_reloads_total": "Configuration reloads, by result (success or failure).",
    ].merging(BuildInfoMetric.help) { own, _ in own }

    private let received: Counter
    private let processed: Counter
    private let late: Counter
    private let evicted: Counter
    private let rejected: [RejectionReason: Counter]
    private let dropped: Counter
    private let catchupRefusals: Counter
    private let awaitingJournal: Gauge
    private let unjournaled: Counter
    private let journalErrors: Counter
    private let tracked: [DetectorName: Gauge]
    private let openIncidents: Gauge
    private let subscriptions: Gauge
    private let processing: Timer
    private let reloadSuccess: Counter
    private let reloadFailure: Counter
    private let factory: any MetricsFactory

    public init(factory: any MetricsFactory, version: String) {
        self.factory = factory
        received = Counter(label: "tokenwatch_events_received_total", factory: factory)
        processed = Counter(label: "tokenwatch_events_processed_total", factory: factory)
        late = Counter(label: "tokenwatch_events_late_total", factory: factory)
        evicted = Counter(label: "tokenwatch_subjects_evicted_total", factory: factory)
        rejected = Self.one(per: RejectionReason.allCases) {
            Counter(label: "tokenwatch_events_rejected_total", dimensions: [("reason", $0.rawValue)], factory: factory)
        }
        dropped = Counter(label: "tokenwatch_alerts_dropped_total", factory: factory)
        catchupRefusals = Counter(label: "tokenwatch_catchup_refusals_total", factory: factory)
        awaitingJournal = Gauge(label: "tokenwatch_alerts_awaiting_journal", factory: factory)
        unjournaled = Counter(label: "tokenwatch_alerts_unjournaled_total", factory: factory)
        journalErrors = Counter(label: "tokenwatch_journal_errors_total", factory: factory)
        tracked = Self.one(per: DetectorName.allCases) {
            Gauge(label: "tokenwatch_tracked_subjects", dimensions: [("detector", $0.rawValue)], factory: factory)
        }
        openIncidents = Gauge(label: "tokenwatch_open_incidents", factory: factory)
        subscriptions = Gauge(label: "tokenwatch_alert_subscriptions", factory: factory)
        processing = Timer(label: "tokenwatch_event_processing_seconds", factory: factory)
        reloadSuccess = Counter(
            label: "tokenwatch_config_reloads_total", dimensions: [("result", "success")], factory: factory)
        reloadFailure = Counter(
            label: "tokenwatch_config_reloads_total", dimensions: [("result", "failure")], factory: factory)
        BuildInfoMetric.record(version: version, factory: factory)
    }

    /// Adds what changed between two snapshots of the pipeline's totals.
    ///
    /// The event counts go last: a scraper that waits until the events it sent are counted must then see
    /// everything they caused (evictions, rejections, alerts, tracked subjects). Counted first, they could be
    /// read between two updates, with the evictions of the last batch still missing (a test saw it).
    func record(from old: PipelineStatistics, to new: PipelineStatistics) {
        late.increment(by: Int64(new.eventsLate - old.eventsLate))
        evicted.increment(by: Int64(new.subjectsEvicted - old.subjectsEvicted))
        for (reason, count) in new.eventsRejected where count != old.eventsRejected[reason] {
            rejected[reason]?.increment(by: Int64(count - (old.eventsRejected[reason] ?? 0)))
        }
        for (key, count) in new.alertsPublished where count != old.alertsPublished[key] {
            Counter(
                label: "tokenwatch_alerts_published_total",
                dimensions: [("detector", key.detector), ("severity", key.severity)], factory: factory
            )
            .increment(by: Int64(count - (old.alertsPublished[key] ?? 0)))
        }
        dropped.increment(by: Int64(new.alertsDropped - old.alertsDropped))
        catchupRefusals.increment(by: Int64(new.catchupRefusals - old.catchupRefusals))
        unjournaled.increment(by: Int64(new.alertsUnjournaled - old.alertsUnjournaled))
        journalErrors.increment(by: Int64(new.journalErrors - old.journalErrors))
        awaitingJournal.record(new.alertsAwaitingJournal)
        for (reason, count) in new.authRefusals where count != old.authRefusals[reason] {
            Counter(label: "tokenwatch_auth_refusals_total", dimensions: [("reason", reason)], factory: factory)
                .increment(by: Int64(count - (old.authRefusals[reason] ?? 0)))
        }
        recordSpending(from: old.spending, to: new.spending)
        for (detector, gauge) in tracked { gauge.record(new.trackedSubjects[detector] ?? 0) }
        openIncidents.record(new.openIncidents)
        subscriptions.record(new.alertSubscriptions)
        received.increment(by: Int64(new.eventsReceived - old.eventsReceived))
        processed.increment(by: Int64(new.eventsProcessed - old.eventsProcessed))
    }

    /// Team labels are few (`report.max_teams`), so the counters are looked up by the factory each time.
    private func recordSpending(from old: [String: JudgedUsage], to new: [String: JudgedUsage]) {
        for (team, usage) in new where usage != old[team] {
            let before = old[team] ?? JudgedUsage()
            for judgement in ProgressJudgement.allCases {
                let dimensions = [("team", team), ("judgement", judgement.rawValue)]
                let calls = usage.calls(judgement) - before.calls(judgement)
                let tokens = usage.tokens(judgement) - before.tokens(judgement)
                // Every judgement of a team is exported, zero included, so that a share has both terms.
                Counter(label: "tokenwatch_calls_total", dimensions: dimensions, factory: factory)
                    .increment(by: Int64(calls))
                Counter(label: "tokenwatch_tokens_total", dimensions: dimensions, factory: factory)
                    .increment(by: Int64(tokens))
            }
        }
    }

    /// The mean processing time per event of one batch.
    func recordProcessing(_ duration: Duration, events: Int) {
        guard events > 0 else { return }
        processing.recordNanoseconds(duration.nanoseconds / Int64(events))
    }

    func recordReload(succeeded: Bool) {
        (succeeded ? reloadSuccess : reloadFailure).increment()
    }

    /// A metric for each of `labels` (a reason, a detector), made by `make` in their order.
    private static func one<Label: Hashable, Metric>(per labels: [Label], _ make: (Label) -> Metric) -> [Label: Metric]
    {
        Dictionary(uniqueKeysWithValues: labels.map { ($0, make($0)) })
    }
}

extension Duration {
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
