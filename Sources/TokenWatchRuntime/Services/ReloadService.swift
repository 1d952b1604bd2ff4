import Logging
import ServiceLifecycle
import TokenWatchCore
import UnixSignals

/// Reloads the configuration on SIGHUP: reads and validates the file first, then hands it to the pipeline,
/// which switches between two batches keeping every window. A file that fails validation changes nothing:
/// the running configuration stays, the failure is logged with every problem, counted, and published as an
/// alert on `alert.tokenwatch.config_reload_failed`.
///
/// ``reload()`` is the same path without a signal, for tests and for other triggers.
public struct ReloadService: Service {
    /// Reads the configuration again, from the same place as at start, with the same command-line overrides.
    public typealias Loader = @Sendable () throws -> TokenWatchConfiguration

    let pipeline: DetectionPipeline
    let load: Loader
    let notifier: SystemdNotifier
    let logger: Logger

    public init(pipeline: DetectionPipeline, notifier: SystemdNotifier, logger: Logger, load: @escaping Loader) {
        self.pipeline = pipeline
        self.load = load
        self.notifier = notifier
        self.logger = logger
    }

    public func run() async throws {
        // Only one handler per signal may exist in a process: this service owns SIGHUP.
        let hangups = await UnixSignalsSequence(trapping: .sighup)
        for await _ in hangups.cancelOnGracefulShutdown() {
            await reload()
        }
    }

    /// One reload; returns whether the new configuration was applied.
    @discardableResult
    public func reload() async -> Bool {
        notifier.reloading()
        defer { notifier.ready(status: "configuration reloaded") }
        let configuration: TokenWatchConfiguration
        do {
            configuration = try load()
        } catch {
            let problems = (error as? ConfigurationError)?.issues.map(\.description) ?? ["\(error)"]
            logger.error(
                "configuration reload failed; keeping the running configuration",
                metadata: ["problems": "\(problems.joined(separator: "; "))"])
            pipeline.recordReload(succeeded: false)
            pipeline.publish(
                OperationalAlert(
                    name: "config_reload_failed", severity: .critical,
                    summary: "configuration reload refused; the previous configuration stays in force",
                    details: problems))
            return false
        }
        let running = pipeline.settings.configuration
        if configuration.events.endpoint != running.events.endpoint
            || configuration.alerts.endpoint != running.alerts.endpoint
            || configuration.events.topic != running.events.topic || configuration.metrics != running.metrics
            || configuration.state.directory != running.state.directory || configuration.security != running.security
            || configuration.journal != running.journal || configuration.catchup != running.catchup
        {
            logger.warning(
                "socket, security, metrics, journal and state settings change only at restart; detection settings apply now"
            )
        }
        await pipeline.apply(configuration)
        pipeline.recordReload(succeeded: true)
        logger.info("configuration reloaded")
        return true
    }
}
