import ArgumentParser
import Foundation
import TokenWatchClient
import TokenWatchCore
import TokenWatchRuntime
import TokenWatchSimulation
import ZeroMQ

struct GenerateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Generate synthetic workplace traffic with injected busywork, to a file or a daemon.")

    @Option(help: "Publish to this endpoint (a daemon's event socket) instead of writing lines.")
    var connect: String?

    @Option(help: "Write JSON lines to this file (default: standard output).")
    var output: String?

    @Option(help: "workplace (honest traffic with busywork injected) or legitimate (honest traffic only).")
    var scenario: String = "workplace"

    @Option(help: "Events per second when publishing; 0 sends as fast as the daemon takes them.")
    var rate: Double = 0

    @Option(help: "Stop after this many events (default: the whole scenario).")
    var count: Int?

    @OptionGroup var traffic: TrafficOptions

    @Option(help: "Write the labels of injected incidents (JSON lines) to this file.")
    var labels: String?

    @Option(help: "Topic to publish under.")
    var topic: String = "tokens"

    @OptionGroup var curve: CurveClientOptions

    func validate() throws {
        guard TrafficGenerator.Scenario(rawValue: scenario) != nil else {
            throw ValidationError(
                "unknown scenario '\(scenario)'; expected one of: \(TrafficGenerator.Scenario.allCases.map(\.rawValue).joined(separator: ", "))"
            )
        }
        guard connect == nil || output == nil else {
            throw ValidationError("--connect and --output exclude each other")
        }
        guard rate >= 0 else { throw ValidationError("--rate must not be negative") }
    }

    func run() throws {
        var options = TrafficGenerator.Options()
        options.scenario = TrafficGenerator.Scenario(rawValue: scenario)!
        traffic.apply(to: &options)
        let generated = TrafficGenerator(options: options).generate()
        let events = count.map { Array(generated.events.prefix($0)) } ?? generated.events

        if let labels {
            let lastTime = events.last?.time ?? options.start
            let text = generated.labels.filter { $0.start <= lastTime }.map { $0.jsonLine + "\n" }.joined()
            try text.write(toFile: labels, atomically: true, encoding: .utf8)
        }

        if let connect {
            let context = try ZMQContext()
            let sender = try EventSender(context: context, connect: connect, topic: topic, configure: curve.configure())
            defer { sender.close() }
            guard try sender.waitForSubscriber(timeout: .seconds(10)) else {
                printError("tokenwatch generate: no subscriber at \(connect) within 10 s (is `tokenwatch run` up?)")
                throw ExitCode(1)
            }
            let clock = ContinuousClock()
            let start = clock.now
            for (index, event) in events.enumerated() {
                if rate > 0 {
                    let due = start + .milliseconds(Int64(Double(index) / rate * 1000))
                    if due > clock.now { Thread.sleep(forTimeInterval: Double((due - clock.now).milliseconds) / 1000) }
                }
                try sender.send(event.payload)
            }
            printError("published \(events.count) events to \(connect)")
        } else {
            var text = BufferedOutput(path: output)
            for event in events { text.writeLine(event.payload) }
            text.flush()
            if output != nil { printError("wrote \(events.count) events to \(output!)") }
        }
    }
}
