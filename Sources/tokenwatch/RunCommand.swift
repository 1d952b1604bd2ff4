import ArgumentParser
import Logging
import ServiceLifecycle
import TokenWatchCore
import TokenWatchRuntime
import ZeroMQ

struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the daemon: bind the event and alert sockets and detect until SIGTERM or SIGINT.")

    @OptionGroup var options: ConfigurationOptions

    @Option(help: "Endpoint the event SUB socket binds (overrides events.endpoint).")
    var events: String?

    @Option(help: "Endpoint the alert PUB socket binds (overrides alerts.endpoint).")
    var alerts: String?

    func run() async throws {
        var (configuration, source) = try options.load()
        if let events { configuration.events.endpoint = events }
        if let alerts { configuration.alerts.endpoint = alerts }
        let logger = bootstrapLogging(level: configuration.logging.level)
        logger.info("starting", metadata: ["config": "\(source ?? "built-in defaults")", "version": "\(TokenWatch.configuration.version)"])

        let pipeline = DetectionPipeline(settings: .init(configuration: configuration), logger: logger)
        let group = ServiceGroup(
            configuration: .init(
                services: [DaemonService(pipeline: pipeline, logger: logger)],
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger))
        do {
            try await group.run()
        } catch let error as ZMQError {
            printError("tokenwatch: \(error)")
            throw ExitCode(1)
        }
    }
}
