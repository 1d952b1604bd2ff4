import ArgumentParser
import CAllocator
import Foundation
import Logging
import Metrics
import Prometheus
import ServiceLifecycle
import TokenWatchCore
import TokenWatchRuntime
import ZeroMQ

struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the daemon: bind the event and alert sockets and detect until SIGTERM or SIGINT.",
        discussion: """
            SIGHUP reloads the configuration file (validated first; a bad file changes nothing). Under systemd \
            it sends READY=1, STATUS=, WATCHDOG=1, RELOADING=1 and STOPPING=1 to NOTIFY_SOCKET.
            """)

    @OptionGroup var options: ConfigurationOptions

    @OptionGroup var sockets: SocketOptions

    @Option(help: "HOST:PORT for /metrics and /healthz (overrides metrics.listen; empty disables).")
    var metrics: String?

    @Option(help: "Directory for checkpoints and the alert journal (overrides state.directory and $STATE_DIRECTORY).")
    var stateDir: String?

    @Option(help: "Endpoint the catch-up ROUTER socket binds (overrides catchup.endpoint; empty disables).")
    var catchup: String?

    func validate() throws {
        if let metrics, !metrics.isEmpty, HostPort(metrics) == nil {
            throw ValidationError("--metrics must be HOST:PORT such as 127.0.0.1:9700, not '\(metrics)'")
        }
    }

    /// Flags win over the file, which wins over the defaults.
    func applyFlags(to configuration: inout TokenWatchConfiguration) {
        sockets.apply(to: &configuration)
        if let metrics { configuration.metrics.listen = metrics }
        if let stateDir { configuration.state.directory = stateDir }
        if let catchup { configuration.catchup.endpoint = catchup }
        if configuration.state.directory.isEmpty, let systemd = systemdStateDirectory() {
            configuration.state.directory = systemd
        }
    }

    /// Binding a non-loopback address without CURVE is refused unless `security.allow_plaintext` says so.
    private func refusePlaintextExposure(_ configuration: TokenWatchConfiguration, logger: Logger) throws {
        let exposed = [configuration.events.endpoint, configuration.alerts.endpoint, configuration.catchup.endpoint]
            .filter { !$0.isEmpty && !isLocalEndpoint($0) }
        if !exposed.isEmpty && !configuration.security.curve {
            guard configuration.security.allowPlaintext else {
                printError(
                    "tokenwatch: refusing to bind \(exposed.joined(separator: ", ")) without CURVE: anyone on the network could "
                        + "publish events or read alerts. Set security.curve (see `tokenwatch keygen`), or security.allow_plaintext: true."
                )
                throw ExitCode(1)
            }
            logger.critical(
                "PLAINTEXT sockets on a non-loopback address: events and alerts are unauthenticated and unencrypted",
                metadata: ["endpoints": "\(exposed.joined(separator: ", "))"])
        }
        if configuration.security.curve {
            let publicKey = (try? ZMQCurve.publicKey(forSecret: configuration.security.serverSecretKey)) ?? "?"
            logger.info(
                "CURVE on",
                metadata: [
                    "server_public_key": "\(publicKey)",
                    "allowed_client_keys": "\(configuration.security.resolvedClientKeys.count)",
                ])
            if configuration.security.resolvedClientKeys.isEmpty {
                logger.warning(
                    "CURVE is on but no client key is allowed: every publisher and consumer will be refused",
                    metadata: ["allowed_client_keys_dir": "\(configuration.security.allowedClientKeysDirectory)"])
            }
        }
    }

    /// The daemon's services: reload, systemd, metrics (when enabled), and the pipeline last, so that it is
    /// the first to shut down and drains and checkpoints while the rest still runs.
    private func makeServices(
        pipeline: DetectionPipeline, configuration: TokenWatchConfiguration, registry: PrometheusCollectorRegistry,
        notifier: SystemdNotifier, logger: Logger
    ) -> [any Service] {
        let explicitPath = options.config
        let reload = ReloadService(pipeline: pipeline, notifier: notifier, logger: logger) { [self] in
            var configuration = try ConfigurationFile.load(explicitPath: explicitPath, defaults: .builtIn).0
            applyFlags(to: &configuration)
            return configuration
        }
        var services: [any Service] = [
            reload,
            SystemdService(
                pipeline: pipeline, notifier: notifier,
                watchdogInterval: SystemdNotifier.watchdogInterval()),
        ]
        if let address = HostPort(configuration.metrics.listen) {
            let heartbeatLimit = Duration.seconds(10)
            services.append(
                MetricsServer(
                    host: address.host, port: address.port, logger: logger,
                    render: { registry.emitToString() },
                    isHealthy: { pipeline.lastHeartbeat.map { ContinuousClock.now - $0 < heartbeatLimit } ?? false }))
        }
        services.append(DaemonService(pipeline: pipeline, notifier: notifier, logger: logger))
        return services
    }

    func run() async throws {
        var (configuration, source) = try options.load()
        applyFlags(to: &configuration)
        let logger = bootstrapLogging(level: configuration.logging.level)
        let version = TokenWatch.configuration.version
        try refusePlaintextExposure(configuration, logger: logger)
        logger.info(
            "starting",
            metadata: [
                "config": "\(source ?? "built-in defaults")", "version": "\(version)",
                // What the allocator runs with (an operator's MALLOC_CONF overrides the built-in options).
                "allocator": "jemalloc lg_extent_max_active_fit=\(tw_allocator_option("opt.lg_extent_max_active_fit"))",
            ])

        let registry = PrometheusCollectorRegistry()
        let factory = DocumentedPrometheusFactory(
            registry: registry, help: PipelineMetrics.help, durationBuckets: PipelineMetrics.processingBuckets)
        MetricsSystem.bootstrap(factory)
        let notifier = SystemdNotifier()
        let stateDirectory = configuration.state.directory.isEmpty ? nil : configuration.state.directory
        if stateDirectory == nil {
            logger.notice("no state directory: detector state and the alert journal will not survive a restart")
        }
        // Held until the process ends: a second daemon on the same directory is refused before it binds.
        let stateLock: StateDirectoryLock?
        do {
            stateLock = try stateDirectory.map { try StateDirectoryLock(directory: $0) }
        } catch {
            printError("tokenwatch: \(error)")
            throw ExitCode(1)
        }
        let pipeline = DetectionPipeline(
            settings: .init(configuration: configuration, stateDirectory: stateDirectory), logger: logger,
            metrics: PipelineMetrics(factory: factory, version: version))

        let services = makeServices(
            pipeline: pipeline, configuration: configuration, registry: registry, notifier: notifier, logger: logger)
        let group = ServiceGroup(
            configuration: .init(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        defer { withExtendedLifetime(stateLock) {} }
        do {
            try await group.run()
        } catch let error as ZMQError {
            printError("tokenwatch: \(error)")
            throw ExitCode(1)
        } catch let error as HTTPListenError {
            printError("tokenwatch: \(error)")
            throw ExitCode(1)
        }
    }
}
