import ArgumentParser
import TokenWatchCore
import TokenWatchRuntime

struct CheckConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-config",
        abstract: "Validate a configuration file: exit 0 if valid, else print every problem with its line and key and exit 1.")

    @Argument(help: "The configuration file.")
    var path: String

    func run() throws {
        do {
            _ = try ConfigurationFile.read(path)
            print("\(path): valid")
        } catch let error as ConfigurationError {
            printError(error.description)
            throw ExitCode(1)
        }
    }
}
