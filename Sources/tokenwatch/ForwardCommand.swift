import ArgumentParser
import Foundation
import Logging
import Prometheus
import ServiceLifecycle
import TokenWatchCore
import TokenWatchForward
import TokenWatchRuntime

struct ForwardCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "forward",
        abstract: "Alerts out: delivers the daemon's alerts to Alertmanager and to signed webhooks, losing none.",
        discussion: """
            Subscribes to the alert socket and uses the catch-up socket, with a cursor in the state directory, so \
            that each alert is handed to every receiver once across restarts of either process. Stops on SIGTERM \
            or SIGINT.
            """)

    @OptionGroup var options: ConfigurationOptions

    @Option(help: "The daemon's alert endpoint (overrides forward.connect; default tcp://127.0.0.1:7701).")
    var connect: String?

    @Option(help: "The daemon's catch-up endpoint (overrides forward.catchup; empty disables).")
    var catchup: String?

    @Option(
        help: "An Alertmanager base URL such as http://127.0.0.1:9093 (repeatable; replaces forward.alertmanagers).")
    var alertmanager: [String] = []

    @Option(help: "A webhook URL (repeatable; added to forward.webhooks).")
    var webhook: [String] = []

    @Option(help: "File holding the HMAC-SHA256 key that signs the --webhook deliveries.")
    var webhookSecretFile: String?

    @Option(help: "Directory for the cursor and the queues (overrides forward.state_directory and $STATE_DIRECTORY).")
    var stateDir: String?

    @Option(help: "HOST:PORT for /metrics and /healthz (overrides forward.metrics; empty disables).")
    var metrics: String?

    @OptionGroup var curve: CurveClientOptions

    func validate() throws {
        for url in alertmanager + webhook where !ForwardConfiguration.isHTTPURL(url) {
            throw ValidationError("'\(url)' is not an http:// or https:// URL")
        }
        if let metrics, !metrics.isEmpty, HostPort(metrics) == nil {
            throw ValidationError("--metrics must be HOST:PORT such as 127.0.0.1:9702, not '\(metrics)'")
        }
    }

    func applyFlags(to settings: inout ForwardConfiguration) {
        if let connect { settings.connect = connect }
        if let catchup { settings.catchup = catchup }
        if !alertmanager.isEmpty { settings.receivers[AlertmanagerConfiguration.self].urls = alertmanager }
        settings.receivers[WebhookConfiguration.self].webhooks += webhook.map {
            .init(url: $0, secretFile: webhookSecretFile ?? "")
        }
        if let stateDir { settings.stateDirectory = stateDir }
        if let metrics { settings.metrics = metrics }
        if settings.stateDirectory.isEmpty, let systemd = systemdStateDirectory() { settings.stateDirectory = systemd }
    }

    /// The file's `allow_*` keys hold for the URLs given as flags too.
    func checkFlagTargets(_ settings: ForwardConfiguration) throws {
        for (flag, urls) in [("--alertmanager", alertmanager), ("--webhook", webhook)] {
            for url in urls {
                guard let problem = settings.targetProblem(url) else { continue }
                printError("tokenwatch forward: \(flag): \(problem)")
                throw ExitCode(1)
            }
        }
    }

    func run() async throws {
        var (configuration, source) = try options.load()
        applyFlags(to: &configuration.forward)
        try checkFlagTargets(configuration.forward)
        let settings = configuration.forward
        let logger = bootstrapLogging(level: configuration.logging.level)
        guard !settings.stateDirectory.isEmpty else {
            printError(
                "tokenwatch forward: needs a state directory (--state-dir or forward.state_directory): without one a restart would lose or repeat alerts"
            )
            throw ExitCode(1)
        }
        let version = TokenWatch.configuration.version
        logger.info(
            "starting forward", metadata: ["config": "\(source ?? "built-in defaults")", "version": "\(version)"])
        let registry = PrometheusCollectorRegistry()
        let factory = DocumentedPrometheusFactory(registry: registry, help: ForwardMetrics.help, durationBuckets: [])
        let metrics = ForwardMetrics(factory: factory, version: version)
        let (store, pipeline) = try openState(settings, metrics: metrics, logger: logger)
        if pipeline.receivers.isEmpty {
            logger.warning("no receiver configured: alerts are recorded in the cursor and dropped")
        }
        let cursor = store.loadCursor()
        let alertSource = AlertSource(
            settings: .init(
                connect: settings.connect, catchup: settings.catchup, topics: settings.topics,
                after: cursor.seq, epoch: cursor.epoch, configure: try curve.configure()),
            metrics: metrics, logger: logger)
        var services: [any Service] = []
        if let address = HostPort(settings.metrics) {
            services.append(
                MetricsServer(
                    host: address.host, port: address.port, logger: logger, render: { registry.emitToString() },
                    isHealthy: { true }))
        }
        services.append(
            ForwardService(
                store: store, source: alertSource, pipeline: pipeline, metrics: metrics, logger: logger,
                onReady: { SystemdNotifier().ready() }))
        let group = ServiceGroup(
            configuration: .init(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        do {
            try await group.run()
        } catch  where error is HTTPListenError || error is ForwardError {
            printError("tokenwatch forward: \(error)")
            await pipeline.shutdown()
            throw ExitCode(1)
        }
        await pipeline.shutdown()
    }

    /// The state directory and the receivers kept in it; a problem with either is one line and exit code 1.
    private func openState(_ settings: ForwardConfiguration, metrics: ForwardMetrics, logger: Logger) throws -> (
        ForwardStore, ForwardPipeline
    ) {
        let store: ForwardStore
        do {
            store = try ForwardStore(directory: settings.stateDirectory)
        } catch {
            printError("tokenwatch forward: cannot use state directory \(settings.stateDirectory): \(error)")
            throw ExitCode(1)
        }
        let pipeline: ForwardPipeline
        do {
            pipeline = try ForwardPipeline.build(settings, store: store, metrics: metrics, logger: logger)
        } catch let error as ReceiverSetupError {
            printError("tokenwatch forward: \(error)")
            throw ExitCode(1)
        }
        return (store, pipeline)
    }
}
