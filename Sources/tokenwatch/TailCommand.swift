import ArgumentParser
import Foundation
import TokenWatchRuntime
import ZeroMQ

struct TailCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tail",
        abstract: "Subscribe to a daemon's alerts and print them; says when a sequence gap shows lost alerts.")

    @Option(help: "The daemon's alert endpoint.")
    var connect: String = "tcp://127.0.0.1:7701"

    @Option(name: .customLong("topic"), help: "Topic prefix to subscribe to; repeatable (default: alert).")
    var topics: [String] = []

    @Flag(help: "Print each alert payload as one JSON line, for scripts.")
    var json = false

    @Option(help: "Exit after this many alerts.")
    var count: Int?

    @Option(help: "Exit after this many seconds without an alert.")
    var idleTimeout: Double?

    func run() throws {
        let context = try ZMQContext()
        let listener = try AlertListener(context: context, connect: connect, topics: topics.isEmpty ? ["alert"] : topics)
        defer { listener.close() }
        let printer = AlertPrinter()
        var received = 0
        var lastActivity = ContinuousClock.now
        while count.map({ received < $0 }) ?? true {
            if let idleTimeout, ContinuousClock.now - lastActivity > .milliseconds(Int64(idleTimeout * 1000)) { break }
            guard let message = try listener.next(timeoutMilliseconds: 200) else { continue }
            lastActivity = ContinuousClock.now
            switch message {
            case .alert(let alert, let lost):
                if lost > 0 { printError(printer.gapLine(topic: alert.topic, lost: lost)) }
                // Unbuffered, so a pipe sees each alert as it comes.
                FileHandle.standardOutput.write(Data(((json ? alert.payload : printer.line(for: alert)) + "\n").utf8))
                received += 1
            case .malformed(let reason):
                printError("tokenwatch tail: malformed message: \(reason)")
            }
        }
    }
}
