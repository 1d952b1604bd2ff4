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

/// Writes one line to standard error.
func printError(_ message: String) {
    FileHandle.standardError.write(Data((message + "\n").utf8))
}
