import Logging
import ServiceLifecycle

/// Keeps systemd informed while running: `WATCHDOG=1` at half of `WATCHDOG_USEC` (only while the ingest
/// thread is alive, so a stuck pipeline gets the service restarted), and a one-line `STATUS=`.
public struct SystemdService: Service {
    let pipeline: DetectionPipeline
    let notifier: SystemdNotifier
    let watchdogInterval: Duration?
    /// How often `STATUS=` is refreshed.
    let statusInterval: Duration

    public init(
        pipeline: DetectionPipeline, notifier: SystemdNotifier, watchdogInterval: Duration?,
        statusInterval: Duration = .seconds(5)
    ) {
        self.pipeline = pipeline
        self.notifier = notifier
        self.watchdogInterval = watchdogInterval
        self.statusInterval = statusInterval
    }

    public func run() async throws {
        guard notifier.isActive else {
            try? await gracefulShutdown()
            return
        }
        let tick = min(watchdogInterval.map { $0 / 2 } ?? statusInterval, statusInterval)
        var lastStatus = ContinuousClock.now - statusInterval
        while !Task.isShuttingDownGracefully {
            if let watchdogInterval, let heartbeat = pipeline.lastHeartbeat,
                ContinuousClock.now - heartbeat < watchdogInterval
            {
                notifier.watchdog()
            }
            if ContinuousClock.now - lastStatus >= statusInterval {
                notifier.status(Self.summary(pipeline.statistics))
                lastStatus = ContinuousClock.now
            }
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: tick) }
        }
    }

    /// For example `events 1200 received, 3 rejected; 2 open incidents; 5 alerts published; watermark 2026-…`.
    static func summary(_ s: PipelineStatistics) -> String {
        "events \(s.eventsReceived) received, \(s.totalRejected) rejected; \(s.openIncidents) open incidents; "
            + "\(s.totalAlertsPublished) alerts published; watermark \(s.watermark?.rfc3339 ?? "none")"
    }
}
