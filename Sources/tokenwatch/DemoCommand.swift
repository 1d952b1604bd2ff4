import ArgumentParser
import Foundation
import Logging
import Synchronization
import TokenWatchClient
import TokenWatchCore
import TokenWatchRuntime
import TokenWatchSimulation
import ZeroMQ

struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run the daemon, a traffic generator and a tail together, then print what was found and missed.",
        discussion: """
            Everything crosses real ZeroMQ sockets: the generator publishes to the daemon's event socket and \
            the tail subscribes to its alert socket, as separate programs would.
            """)

    @OptionGroup var options: ConfigurationOptions

    @OptionGroup var sockets: SocketOptions

    @OptionGroup var traffic: TrafficOptions

    func run() async throws {
        var (configuration, _) = try options.load()
        sockets.apply(to: &configuration)
        let logger = bootstrapLogging(level: "warning")
        let started = ContinuousClock.now

        let pipeline = DetectionPipeline(settings: .init(configuration: configuration), logger: logger)
        do {
            try await pipeline.start()
        } catch let error as ZMQError {
            printError("tokenwatch demo: \(error) (another daemon running? try --events/--alerts with other ports)")
            throw ExitCode(1)
        }
        let context = try ZMQContext()
        let tail = DemoTail()
        let endpoint = configuration.alerts.endpoint
        let tailThread = Thread { tail.run(context: context, endpoint: endpoint) }
        tailThread.start()
        try await waitFor("the tail to subscribe", timeout: .seconds(10)) { pipeline.statistics.alertSubscriptions > 0 }

        var generatorOptions = TrafficGenerator.Options()
        traffic.apply(to: &generatorOptions)
        let generated = TrafficGenerator(options: generatorOptions).generate()
        print(
            "TokenWatch demo: \(traffic.people) people across time zones, \(traffic.days) days of traffic from Monday 2026-11-02, "
                + "\(generated.events.count) events, \(generated.labels.count) incidents of busywork injected (seed \(traffic.seed))."
        )
        print("Alerts as the daemon publishes them (event time, state, detector, subject, summary, id):\n")

        let sender = try EventSender(
            context: context, connect: configuration.events.endpoint, topic: configuration.events.topic)
        guard try sender.waitForSubscriber(timeout: .seconds(10)) else {
            printError("tokenwatch demo: the daemon did not subscribe within 10 s")
            throw ExitCode(1)
        }
        for event in generated.events { try sender.send(event.payload) }
        try await waitFor("the daemon to take every event", timeout: .seconds(60)) {
            pipeline.statistics.eventsReceived >= UInt64(generated.events.count)
        }
        let published = pipeline.statistics.totalAlertsPublished
        try await waitFor("the tail to receive every alert", timeout: .seconds(10)) { tail.count >= published }
        tail.stop()
        sender.close()
        pipeline.requestStop()
        try await pipeline.waitUntilFinished()

        printSummary(pipeline.statistics, received: tail.received, generated: generated, started: started)
    }

    /// What was sent, detected and received, and how the alerts score against the injected incidents.
    private func printSummary(
        _ statistics: PipelineStatistics, received: [ReceivedAlert],
        generated: (
            events: [TrafficGenerator.GeneratedEvent], labels: [TrafficGenerator.Label], controlUsers: [String]
        ),
        started: ContinuousClock.Instant
    ) {
        let score = IncidentScore(labels: generated.labels, alerts: received.map(\.digest))
        print("\n── Summary ─────────────────────────────────────────────")
        print(
            "events: sent \(generated.events.count), received \(statistics.eventsReceived), "
                + "processed \(statistics.eventsProcessed), rejected \(statistics.totalRejected)")
        let firing = received.filter { $0.digest.state == .firing }.count
        print(
            "alerts: \(received.count) received of \(statistics.totalAlertsPublished) published "
                + "(\(firing) firing, \(received.count - firing) resolved), \(statistics.alertsDropped) dropped")
        print("\ninjected incidents, by detector:")
        for detector in DetectorName.allCases {
            let s = score.detectors[detector]!
            let delay = s.medianDelaySeconds.map { "median delay \($0 / 60) min \($0 % 60) s (event time)" } ?? "-"
            print(
                "  \(detector.rawValue.padding(toLength: 20, withPad: " ", startingAt: 0)) found \(s.found) of \(s.injected)"
                    + "   on other busywork \(s.onOtherBusywork)   false alarms \(s.falsePositives)   \(delay)")
        }
        for label in score.missed {
            print("  missed: \(label.detector.rawValue) \(label.kind) user=\(label.user) from \(label.start.rfc3339)")
        }
        for alarm in score.falseAlarms {
            print(
                "  false alarm: \(alarm.detector.rawValue) user=\(alarm.user ?? "-") agent=\(alarm.agent ?? "-") at \(alarm.time.rfc3339)"
            )
        }
        let found = score.detectors.values.map(\.found).reduce(0, +)
        print(
            "\nfound \(found) of \(generated.labels.count) injected incidents, \(score.falseAlarms.count) false alarms "
                + "on \(generated.controlUsers.count) people with honest traffic only; took \(ContinuousClock.now - started)"
        )
    }
}

/// Waits until `condition` holds, polling, or fails after `timeout`.
func waitFor(_ what: String, timeout: Duration, _ condition: () -> Bool) async throws {
    let deadline = ContinuousClock.now + timeout
    while !condition() {
        guard ContinuousClock.now < deadline else {
            printError("tokenwatch: timed out waiting for \(what)")
            throw ExitCode(1)
        }
        try await Task.sleep(for: .milliseconds(20))
    }
}

/// The demo's alert subscriber, on its own thread like any separate consumer; prints as alerts arrive.
final class DemoTail: Sendable {
    private let alerts = Mutex<[ReceivedAlert]>([])
    private let stopped = Atomic<Bool>(false)

    var count: UInt64 { UInt64(alerts.withLock { $0.count }) }
    var received: [ReceivedAlert] { alerts.withLock { $0 } }

    func stop() { stopped.store(true, ordering: .relaxed) }

    func run(context: ZMQContext, endpoint: String) {
        let printer = AlertPrinter()
        do {
            let listener = try AlertListener(context: context, connect: endpoint)
            defer { listener.close() }
            while !stopped.load(ordering: .relaxed) {
                guard let message = try listener.next(timeoutMilliseconds: 100) else { continue }
                if case .alert(let alert, let lost) = message {
                    if lost > 0 { print(printer.gapLine(topic: alert.topic, lost: lost)) }
                    print(printer.line(for: alert))
                    alerts.withLock { $0.append(alert) }
                }
            }
        } catch {
            printError("tokenwatch demo: tail failed: \(error)")
        }
    }
}
