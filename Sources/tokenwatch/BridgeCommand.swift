import ArgumentParser
import Foundation
import Logging
import Metrics
import Prometheus
import ServiceLifecycle
import TokenWatchBridge
import TokenWatchCore
import TokenWatchRuntime
import ZeroMQ

struct BridgeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bridge",
        abstract: "OpenTelemetry in: an OTLP/HTTP receiver that publishes model calls to the daemon as token events.",
        discussion: """
            Accepts POST /v1/traces (GenAI spans) and /v1/logs (Claude Code's api_request events, and records \
            with the configured token attributes), protobuf or JSON, gzip or not; serves GET /metrics and \
            /healthz on the same port. Stops on SIGTERM or SIGINT.
            """)

    @OptionGroup var options: ConfigurationOptions

    @Option(help: "HOST:PORT to listen on (overrides bridge.listen; default 127.0.0.1:4318).")
    var listen: String?

    @Option(help: "The daemon's event endpoint to publish to (overrides bridge.connect; default tcp://127.0.0.1:7700).")
    var connect: String?

    @OptionGroup var curve: CurveClientOptions

    func validate() throws {
        if let listen, HostPort(listen) == nil {
            throw ValidationError("--listen must be HOST:PORT such as 127.0.0.1:4318, not '\(listen)'")
        }
    }

    func run() async throws {
        var (configuration, source) = try options.load()
        if let listen { configuration.bridge.listen = listen }
        if let connect { configuration.bridge.connect = connect }
        let settings = configuration.bridge
        let logger = bootstrapLogging(level: configuration.logging.level)
        let version = TokenWatch.configuration.version
        logger.info(
            "starting bridge", metadata: ["config": "\(source ?? "built-in defaults")", "version": "\(version)"])

        let registry = PrometheusCollectorRegistry()
        let factory = DocumentedPrometheusFactory(registry: registry, help: BridgeMetrics.help, durationBuckets: [])
        let metrics = BridgeMetrics(factory: factory, version: version)
        let context = try ZMQContext()
        let publisher = try EventPublisher(
            context: context, connect: settings.connect.split(separator: ",").map(String.init), topic: settings.topic,
            configure: try curve.configure())
        let export = OTLPExportHandler(
            settings: settings, limits: configuration.events.limits, maxFuture: configuration.events.maxFuture,
            publisher: publisher, metrics: metrics)
        guard let address = HostPort(settings.listen) else { throw ExitCode(1) }
        let receiver = OTLPReceiver(
            host: address.host, port: address.port, export: export, maxBodyBytes: settings.maxBodyBytes,
            maxConnections: Self.connectionLimit(settings.maxConnections, logger: logger),
            requestTimeout: settings.requestTimeout, logger: logger,
            renderMetrics: {
                metrics.daemonConnected(publisher.isConnected)
                metrics.joinsWaiting(export.waiting)
                return registry.emitToString()
            },
            isHealthy: { publisher.isConnected },
            onListening: { SystemdNotifier().ready() })
        logger.info("publishing", metadata: ["connect": "\(settings.connect)", "topic": "\(settings.topic)"])
        let group = ServiceGroup(
            configuration: .init(
                services: [receiver, CallJoinerSweep(export: export)], gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger))
        do {
            try await group.run()
        } catch let error as HTTPListenError {
            printError("tokenwatch bridge: \(error)")
            throw ExitCode(1)
        }
        publisher.close()
    }

    /// `bridge.max_connections`, lowered to leave room under the descriptor limit for the daemon's sockets, NIO's
    /// and the log: at the limit, accepting would fail and connections could no longer be replaced.
    static func connectionLimit(_ configured: Int, logger: Logger) -> Int {
        var limit = rlimit()
        guard getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit) == 0, limit.rlim_cur < Int32.max else {
            return configured
        }
        let fitting = max(16, Int(limit.rlim_cur) - 64)
        if fitting < configured {
            logger.warning(
                "fewer connections than bridge.max_connections: the descriptor limit is lower",
                metadata: ["max_connections": "\(fitting)", "descriptors": "\(limit.rlim_cur)"])
        }
        return min(configured, fitting)
    }
}
