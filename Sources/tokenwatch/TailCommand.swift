import ArgumentParser
import Foundation
import TokenWatchClient
import TokenWatchRuntime
import ZeroMQ

struct TailCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tail",
        abstract: "Subscribe to a daemon's alerts and print them, recovering missed ones from its journal.",
        discussion: """
            When a per-topic sequence gap shows lost alerts, or the connection comes back after a break, tail asks \
            the daemon's catch-up socket for what it missed and prints it (each alert once). --since N first prints \
            every retained alert from seq N.
            """)

    @Option(help: "The daemon's alert endpoint.")
    var connect: String = "tcp://127.0.0.1:7701"

    @Option(help: "The daemon's catch-up endpoint (empty: no recovery).")
    var catchup: String = "tcp://127.0.0.1:7702"

    @Option(name: .customLong("topic"), help: "Topic prefix to subscribe to; repeatable (default: alert).")
    var topics: [String] = []

    @Option(help: "First print every retained alert with seq ≥ N.")
    var since: UInt64?

    @Flag(help: "Print each alert payload as one JSON line, for scripts.")
    var json = false

    @Option(help: "Exit after this many alerts.")
    var count: Int?

    @Option(help: "Exit after this many seconds without an alert.")
    var idleTimeout: Double?

    @OptionGroup var curve: CurveClientOptions

    func run() throws {
        let prefixes = topics.isEmpty ? ["alert"] : topics
        let context = try ZMQContext()
        let configure = try curve.configure()
        let listener = try AlertListener(context: context, connect: connect, topics: prefixes, configure: configure)
        defer { listener.close() }
        let client = catchup.isEmpty ? nil : try CatchupClient(context: context, connect: catchup, configure: configure)
        defer { client?.close() }
        var output = TailOutput(json: json, prefixes: prefixes, limit: count)

        if let since, let client {
            output.recover(using: client, from: since)
        } else if let client {
            // Start from now: a reconnect later recovers from here, not from the whole journal.
            output.startAfter(try client.latest())
        }
        var lastActivity = ContinuousClock.now
        while !output.done {
            if let idleTimeout, ContinuousClock.now - lastActivity > .milliseconds(Int64(idleTimeout * 1000)) { break }
            guard let message = try listener.next(timeoutMilliseconds: 200) else { continue }
            lastActivity = ContinuousClock.now
            switch message {
            case .alert(let alert, let lost):
                if lost > 0 {
                    printError(AlertPrinter().gapLine(topic: alert.topic, lost: lost))
                    if let client { output.recover(using: client, from: output.resumePoint) }
                }
                output.emit(alert, recovered: false)
            case .reconnected:
                if let client { output.recover(using: client, from: output.resumePoint) }
            case .malformed(let reason):
                printError("tokenwatch tail: malformed message: \(reason)")
            case .handshakeFailed:
                printError(
                    "tokenwatch tail: the daemon refused the connection's security handshake: check --curve-server-key "
                        + "(the daemon's PATH.pub) and --curve-key (a client key the daemon allows), or CURVE on one side only"
                )
                throw ExitCode(1)
            }
        }
    }
}

/// What tail has printed: each alert once, in order, whether it came live or from catch-up.
struct TailOutput {
    let json: Bool
    let prefixes: [String]
    let limit: Int?
    let printer = AlertPrinter()
    private var printed = 0
    private var highest: UInt64?
    private var startAfter: UInt64?
    private var seen: Set<UInt64> = []

    init(json: Bool, prefixes: [String], limit: Int?) {
        self.json = json
        self.prefixes = prefixes
        self.limit = limit
    }

    var done: Bool { limit.map { printed >= $0 } ?? false }

    /// Where a catch-up should start: after the newest alert seen, or after where tail began.
    var resumePoint: UInt64 { (highest ?? startAfter).map { $0 + 1 } ?? 0 }

    mutating func startAfter(_ seq: UInt64?) { startAfter = seq }

    mutating func recover(using client: CatchupClient, from since: UInt64) {
        do {
            guard let reply = try client.fetch(since: since) else {
                printError("tokenwatch tail: the catch-up socket did not answer; missed alerts are not recovered")
                return
            }
            if let first = reply.first, since < first, highest != nil {
                printError("tokenwatch tail: alerts \(since)…\(first - 1) are no longer retained")
            }
            for journaled in reply.alerts where AlertListener.matches(journaled.entry.topic, prefixes) {
                guard !done, let alert = ReceivedAlert(journaled) else { continue }
                emit(alert, recovered: true)
            }
        } catch {
            printError("tokenwatch tail: catch-up failed: \(error)")
        }
    }

    mutating func emit(_ alert: ReceivedAlert, recovered: Bool) {
        guard !done, seen.insert(alert.seq).inserted else { return }
        highest = max(highest ?? alert.seq, alert.seq)
        if seen.count > 200_000, let cutoff = highest.map({ $0 > 100_000 ? $0 - 100_000 : 0 }) {
            seen = seen.filter { $0 >= cutoff }
        }
        let line = json ? alert.payload : printer.line(for: alert) + (recovered ? "  (recovered)" : "")
        // Unbuffered, so a pipe sees each alert as it comes.
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
        printed += 1
    }
}
