import Foundation
import Synchronization
import ZeroMQ

/// The real `tokenwatch` binary, started as a child process with its standard error captured line by line.
final class TokenWatchProcess: Sendable {
    static let binary: URL = {
        if let path = ProcessInfo.processInfo.environment["TOKENWATCH_BINARY"] { return URL(fileURLWithPath: path) }
        // The test runner lives in the build products folder beside the executable.
        let beside = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent(
            "tokenwatch")
        if FileManager.default.isExecutableFile(atPath: beside.path) { return beside }
        return packageRoot.appendingPathComponent(".build/debug/tokenwatch")
    }()

    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let shippedConfig = packageRoot.appendingPathComponent("Config/tokenwatch.yaml").path

    private let process: Process
    private let pipes: (error: Pipe, output: Pipe)
    private let captured = CapturedOutput()

    init(_ arguments: [String], environment: [String: String] = [:], stdin: FileHandle? = nil) throws {
        process = Process()
        process.executableURL = Self.binary
        process.arguments = arguments
        var inherited = ProcessInfo.processInfo.environment
        // A test never inherits the session's systemd variables by accident.
        for key in ["NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID", "STATE_DIRECTORY"] { inherited[key] = nil }
        process.environment = inherited.merging(environment) { $1 }
        let errorPipe = Pipe()
        let outputPipe = Pipe()
        pipes = (errorPipe, outputPipe)
        process.standardError = errorPipe
        process.standardOutput = outputPipe
        if let stdin { process.standardInput = stdin }
        captured.collect(errorPipe, isStandardError: true)
        captured.collect(outputPipe, isStandardError: false)
        try process.run()
    }

    /// The complete lines written to standard error so far.
    var standardError: [String] {
        let text = captured.stderr.withLock { String(decoding: $0, as: UTF8.self) }
        return text.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init)
    }
    var standardOutput: String { captured.stdout.withLock { String(decoding: $0, as: UTF8.self) } }
    var isRunning: Bool { process.isRunning }
    var processIdentifier: Int32 { process.processIdentifier }

    /// Waits until `count` lines of standard error contain `text`. A process that exits first fails the wait at
    /// once, with what it wrote: it will not write the line later.
    func waitForLog(_ text: String, count: Int = 1, timeout: Duration = .seconds(20)) throws {
        try waitUntil("\(count)× '\(text)' in the daemon's log", timeout: timeout) {
            if standardError.filter({ $0.contains(text) }).count >= count { return true }
            guard !process.isRunning else { return false }
            let status = try waitForExit()
            if standardError.filter({ $0.contains(text) }).count >= count { return true }
            throw ExitedEarly(status: status, standardError: standardError)
        }
    }

    func signal(_ number: Int32) { kill(process.processIdentifier, number) }

    /// Waits for the process to exit and for all it wrote to be read; returns its exit status.
    func waitForExit(timeout: Duration = .seconds(20)) throws -> Int32 {
        try waitUntil("the process to exit", timeout: timeout) { !process.isRunning }
        process.waitUntilExit()
        // Everything it wrote must be read before the caller looks at it. The pipes' handlers normally see the end
        // of file; should Foundation not deliver it, the rest is read directly.
        do {
            try waitUntil("its output to be read", timeout: .seconds(5)) { captured.closedStreams.withLock { $0 } == 2 }
        } catch {
            captured.drain(pipes.error, isStandardError: true)
            captured.drain(pipes.output, isStandardError: false)
        }
        return process.terminationStatus
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }
}

/// What the child wrote, filled in by the pipes' handlers on their own threads.
private final class CapturedOutput: Sendable {
    let stderr = Mutex(Data())
    let stdout = Mutex(Data())
    /// Standard output and error each count once when they reach end of file.
    let closedStreams = Mutex(0)

    /// Stops the handler and reads what is left in `pipe` synchronously.
    func drain(_ pipe: Pipe, isStandardError: Bool) {
        pipe.fileHandleForReading.readabilityHandler = nil
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        if isStandardError { stderr.withLock { $0.append(data) } } else { stdout.withLock { $0.append(data) } }
    }

    /// Appends everything read from `pipe` to one of the buffers, and counts its end of file.
    func collect(_ pipe: Pipe, isStandardError: Bool) {
        pipe.fileHandleForReading.readabilityHandler = { [self] handle in
            let data = handle.availableData
            if data.isEmpty {
                handle.readabilityHandler = nil
                closedStreams.withLock { $0 += 1 }
                return
            }
            if isStandardError { stderr.withLock { $0.append(data) } } else { stdout.withLock { $0.append(data) } }
        }
    }
}

struct TimedOut: Error, CustomStringConvertible {
    var description: String
}

/// The process exited before writing what a test waited for.
struct ExitedEarly: Error, CustomStringConvertible {
    var status: Int32
    var standardError: [String]
    var description: String {
        "the process exited with status \(status) first; its standard error ended:\n"
            + standardError.suffix(10).joined(separator: "\n")
    }
}

/// Polls `condition` until it holds or `timeout` passes: a deadline, never a bare sleep.
func waitUntil(_ what: String, timeout: Duration, _ condition: () throws -> Bool) throws {
    let deadline = ContinuousClock.now + timeout
    while try !condition() {
        guard ContinuousClock.now < deadline else { throw TimedOut(description: "timed out waiting for \(what)") }
        Thread.sleep(forTimeInterval: 0.01)
    }
}

/// Two loopback endpoints on ports the system just handed out (bound, read back, released).
func freeEndpoints(_ count: Int) throws -> [String] {
    let context = try ZMQContext()
    var sockets: [ZMQSocket] = []
    var endpoints: [String] = []
    for _ in 0..<count {
        let socket = try ZMQSocket(context: context, type: .pull)
        try socket.setLinger(milliseconds: 0)
        try socket.bind("tcp://127.0.0.1:*")
        endpoints.append(try socket.lastEndpoint)
        sockets.append(socket)
    }
    for socket in sockets { socket.close() }
    return endpoints
}

/// `tokenwatch run` on fresh loopback ports (events, alerts, metrics), started and ready.
struct DaemonUnderTest {
    let process: TokenWatchProcess
    let events: String
    let alerts: String
    /// `HOST:PORT` of /metrics and /healthz.
    let metrics: String
    let catchup: String

    static func start(
        configPath: String = TokenWatchProcess.shippedConfig, extraArguments: [String] = [],
        environment: [String: String] = [:]
    ) throws -> DaemonUnderTest {
        // A port the system handed out and ``freeEndpoints(_:)`` released can be taken before the daemon binds it
        // (tests run in parallel, and outgoing connections draw from the same ports): then fresh ports are drawn.
        // Any other early exit fails the test.
        for attempt in 1...3 {
            let endpoints = try freeEndpoints(4)
            do {
                return try start(
                    configPath: configPath, events: endpoints[0], alerts: endpoints[1],
                    metrics: String(endpoints[2].dropFirst("tcp://".count)), catchup: endpoints[3],
                    extraArguments: extraArguments, environment: environment)
            } catch let exited as ExitedEarly
                where attempt < 3 && exited.standardError.contains(where: { $0.contains("Address already in use") })
            {
                continue
            }
        }
        preconditionFailure("the last attempt returns or throws")
    }

    /// Starts on given endpoints: to restart a daemon where consumers expect it.
    static func start(
        configPath: String = TokenWatchProcess.shippedConfig, events: String, alerts: String, metrics: String,
        catchup: String,
        extraArguments: [String] = [], environment: [String: String] = [:]
    ) throws -> DaemonUnderTest {
        let process = try TokenWatchProcess(
            [
                "run", "--config", configPath, "--events", events, "--alerts", alerts, "--metrics", metrics,
                "--catchup", catchup,
            ]
                + extraArguments,
            environment: environment)
        // The log line itself ("… [TokenWatchRuntime] ready"), not "already" in an error.
        try process.waitForLog("] ready")
        // The metrics server is its own service: it may open a moment after the pipeline reports ready.
        if !metrics.isEmpty { try process.waitForLog("metrics listening") }
        return DaemonUnderTest(process: process, events: events, alerts: alerts, metrics: metrics, catchup: catchup)
    }
}
