import ArgumentParser
import Foundation
import TokenWatchCore
import TokenWatchRuntime

/// `--config`, shared by the commands that run detectors.
struct ConfigurationOptions: ParsableArguments {
    @Option(name: .long, help: "Configuration file (default: \(ConfigurationFile.systemPath) if it exists, else built-in defaults).")
    var config: String?

    /// The configuration, or exit 1 with every problem printed on standard error.
    func load() throws -> (TokenWatchConfiguration, source: String?) {
        do {
            return try ConfigurationFile.load(explicitPath: config)
        } catch let error as ConfigurationError {
            printError(error.description)
            throw ExitCode(1)
        }
    }
}

/// `--events` and `--alerts`, for the commands that run the daemon (`run`, `demo`).
struct SocketOptions: ParsableArguments {
    @Option(help: "Endpoint the event SUB socket binds (overrides events.endpoint).")
    var events: String?

    @Option(help: "Endpoint the alert PUB socket binds (overrides alerts.endpoint).")
    var alerts: String?

    /// Flags win over the file, which wins over the defaults.
    func apply(to configuration: inout TokenWatchConfiguration) {
        if let events { configuration.events.endpoint = events }
        if let alerts { configuration.alerts.endpoint = alerts }
    }
}

/// Writes one line to standard error.
func printError(_ message: String) {
    FileHandle.standardError.write(Data((message + "\n").utf8))
}
