import ArgumentParser
import Foundation
import TokenWatchClient
import TokenWatchCore
import TokenWatchForward
import TokenWatchRuntime
import TokenWatchSimulation

/// `--config`, shared by the commands that run detectors.
struct ConfigurationOptions: ParsableArguments {
    @Option(
        name: .long,
        help: "Configuration file (default: \(ConfigurationFile.systemPath) if it exists, else built-in defaults).")
    var config: String?

    /// The configuration, or exit 1 with every problem printed on standard error.
    func load() throws -> (TokenWatchConfiguration, source: String?) {
        do {
            return try ConfigurationFile.load(explicitPath: config, defaults: .builtIn)
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

/// `--seed`, `--people` and `--days` of generated traffic, for `generate` and `demo`.
struct TrafficOptions: ParsableArguments {
    @Option(help: "Seed: the same seed gives the same traffic.")
    var seed: UInt64 = 1

    @Option(help: "Simulated people.")
    var people: Int = 40

    @Option(help: "Simulated days, starting Monday 2026-11-02.")
    var days: Int = 3

    @Option(help: "office (staff chatting, team pipelines) or agentic (plus coding agents, crews and their busywork).")
    var population: TrafficGenerator.Population = .office

    @Option(help: "Inject the busywork into this team only (team-1, team-2, …: ten people each).")
    var busyworkTeam: String?

    func validate() throws {
        guard people > 0, days > 0 else { throw ValidationError("--people and --days must be positive") }
        let teams = TrafficGenerator.teams(people: people)
        if let busyworkTeam, !teams.contains(busyworkTeam) {
            throw ValidationError(
                "--busywork-team \(busyworkTeam): no such team among \(people) people (team-1 to team-\(teams.count))")
        }
    }

    /// The generator's options with these applied.
    func apply(to options: inout TrafficGenerator.Options) {
        options.seed = seed
        options.people = people
        options.days = days
        options.population = population
        options.busyworkTeam = busyworkTeam
    }
}

/// The state directory systemd made for the service (`StateDirectory=`), if any. It may list several,
/// separated by colons: the first is ours.
func systemdStateDirectory() -> String? {
    ProcessInfo.processInfo.environment["STATE_DIRECTORY"].map { String($0.split(separator: ":").first ?? "") }
}

/// Writes a message to standard error, each of its lines with control characters escaped: messages echo
/// configuration values and file names, which must not move the cursor or forge lines.
func printError(_ message: String) {
    let lines = message.split(separator: "\n", omittingEmptySubsequences: false).map {
        TerminalText.escaped(String($0))
    }
    FileHandle.standardError.write(Data((lines.joined(separator: "\n") + "\n").utf8))
}

extension TrafficGenerator.Population: ExpressibleByArgument {}

/// The events file a command reads: standard input when none is given or it is `-`; exits 1 with a message
/// when it cannot be opened.
func openEvents(_ file: String?, command: String) throws -> FileHandle {
    guard let file, file != "-" else { return FileHandle.standardInput }
    guard let handle = FileHandle(forReadingAtPath: file) else {
        printError("tokenwatch \(command): cannot open \(file)")
        throw ExitCode(1)
    }
    return handle
}
