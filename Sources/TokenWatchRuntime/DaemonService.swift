import Logging
import ServiceLifecycle

/// The daemon as a `Service`: runs the detection pipeline until graceful shutdown, then lets it drain.
public struct DaemonService: Service {
    let pipeline: DetectionPipeline
    let logger: Logger

    public init(pipeline: DetectionPipeline, logger: Logger) {
        self.pipeline = pipeline
        self.logger = logger
    }

    public func run() async throws {
        try await pipeline.start()
        logger.info("ready")
        // Shutdown is not cancellation: the pipeline is asked to stop and allowed to finish its work.
        try await withGracefulShutdownHandler {
            try await pipeline.waitUntilFinished()
        } onGracefulShutdown: {
            pipeline.requestStop()
        }
        let statistics = pipeline.statistics
        logger.info(
            "stopped",
            metadata: ["events_received": "\(statistics.eventsReceived)", "events_rejected": "\(statistics.totalRejected)",
                       "alerts_published": "\(statistics.totalAlertsPublished)"])
    }
}
