import ArgumentParser
import TokenWatchCore
import TokenWatchRuntime

struct CheckConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-config",
        abstract:
            "Validate a configuration file: exit 0 if valid, else print every problem with its line and key and exit 1."
    )

    @Argument(help: "The configuration file.")
    var path: String

    @Flag(help: "Print the effective configuration (the file over the built-in defaults) as YAML.")
    var print = false

    func run() throws {
        do {
            let configuration = try ConfigurationFile.read(path, defaults: .builtIn)
            if self.print {
                Swift.print(ConfigurationRenderer.yaml(configuration), terminator: "")
            } else {
                Swift.print("\(path): valid")
            }
        } catch let error as ConfigurationError {
            printError(error.description)
            throw ExitCode(1)
        }
    }
}
