import Logging
import ServiceLifecycle

/// The daemon as a `Service`: runs the detection pipeline until graceful shutdown, then lets it drain.
///
/// It tells systemd `READY=1` once the pipeline has restored its state and bound both sockets, and
/// `STOPPING=1` as soon as a graceful shutdown begins.
public struct DaemonService: Service {
    let pipeline: DetectionPipeline
    let notifier: SystemdNotifier
    let logger: Logger

    public init(pipeline: DetectionPipeline, notifier: SystemdNotifier = SystemdNotifier(), logger: Logger) {
        self.pipeline = pipeline
        self.notifier = notifier
        self.logger = logger
    }

    public func run() async throws {
        try await pipeline.start()
        logger.info("ready")
        notifier.ready(status: "ready; listening on \(pipeline.settings.configuration.events.endpoint)")
        // Shutdown is not cancellation: the pipeline is asked to stop and allowed to finish its work.
        try await withGracefulShutdownHandler {
            try await pipeline.waitUntilFinished()
        } onGracefulShutdown: {
            notifier.stopping()
            pipeline.requestStop()
        }
        let statistics = pipeline.statistics
        logger.info(
            "stopped",
            metadata: [
                "events_received": "\(statistics.eventsReceived)", "events_rejected": "\(statistics.totalRejected)",
                "alerts_published": "\(statistics.totalAlertsPublished)",
            ])
    }
}
