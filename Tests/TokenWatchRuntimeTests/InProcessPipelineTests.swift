import Foundation
import Logging
import Testing
import TokenWatchClient
import TokenWatchCore
import ZeroMQ

@testable import TokenWatchRuntime

/// The pipeline, journal, checkpoint store, catch-up responder and reload, driven in this process over real
/// loopback sockets on ports the system picks (`tcp://127.0.0.1:*`).
@Suite("Pipeline in process", .serialized)
struct InProcessPipelineTests {
    static let logger = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }

    /// Eight same prompts from one user at irregular gaps (a person, not a schedule): one
    /// `repetitive_prompts` incident at the defaults, and nothing from `scripted_cadence`.
    static func repeats(user: String, count: Int = 8, startingAt minute: Int = 0) -> [String] {
        let offsets = [0, 1, 3, 4, 8, 9, 13, 14, 19, 20]
        return (0..<count).map { index in
            let ms = 1_793_700_000_000 + Int64(minute + offsets[index]) * 60_000
            return #"{"ts":\#(ms),"id":"\#(user)-\#(minute + index)","user":"\#(user)","input_tokens":10,"#
                + #""output_tokens":5,"prompt":"summarise the quarterly budget review for the board"}"#
        }
    }

    static func configuration(catchup: Bool = true) -> TokenWatchConfiguration {
        var configuration = TokenWatchConfiguration()
        configuration.events.endpoint = "tcp://127.0.0.1:*"
        configuration.alerts.endpoint = "tcp://127.0.0.1:*"
        configuration.catchup.endpoint = catchup ? "tcp://127.0.0.1:*" : ""
        return configuration
    }

    /// A started pipeline, with a sender and an alert listener connected to it.
    struct Running {
        let pipeline: DetectionPipeline
        let context: ZMQContext
        let sender: EventSender
        let listener: AlertListener
        let endpoints: DetectionPipeline.BoundEndpoints

        init(_ configuration: TokenWatchConfiguration, stateDirectory: String? = nil) async throws {
            pipeline = DetectionPipeline(
                settings: .init(configuration: configuration, stateDirectory: stateDirectory),
                logger: InProcessPipelineTests.logger)
            try await pipeline.start()
            endpoints = try #require(pipeline.boundEndpoints)
            context = try ZMQContext()
            listener = try AlertListener(context: context, connect: endpoints.alerts)
            sender = try EventSender(context: context, connect: endpoints.events)
            #expect(try sender.waitForSubscriber(timeout: .seconds(20)))
        }

        /// The next alert, waiting at most 20 s.
        func nextAlert() throws -> ReceivedAlert {
            let deadline = ContinuousClock.now + .seconds(20)
            while ContinuousClock.now < deadline {
                if case .alert(let alert, _) = try listener.next(timeoutMilliseconds: 100) { return alert }
            }
            throw TimedOut(what: "an alert")
        }

        /// Sends events until the alert subscription is seen by the daemon (alerts published before it are lost
        /// to this listener, so the tests wait for it), then the events.
        func send(_ payloads: [String]) async throws {
            try await waitUntil("the alert subscription") { pipeline.statistics.alertSubscriptions > 0 }
            for payload in payloads { try sender.send(payload) }
        }

        func stop() async throws {
            sender.close()
            listener.close()
            pipeline.requestStop()
            try await pipeline.waitUntilFinished()
        }
    }

    @Test func anIncidentIsPublishedJournaledAndServedByCatchup() async throws {
        let running = try await Running(Self.configuration())
        try await running.send(Self.repeats(user: "ana"))
        let alert = try running.nextAlert()
        #expect(alert.topic == "alert.repetitive_prompts.warning")
        #expect(alert.digest.user == "ana" && alert.digest.state == .firing && alert.seq == 0)

        let catchup = try CatchupClient(context: running.context, connect: try #require(running.endpoints.catchup))
        let reply = try #require(try catchup.fetch(since: 0))
        #expect(reply.entries.map(\.seq) == [0])
        #expect(reply.entries.first?.payload == alert.payload)
        catchup.close()
        try await running.stop()
        #expect(running.pipeline.statistics.eventsProcessed == 8)
    }

    @Test func stateSurvivesARestartThroughTheCheckpointAndTheJournal() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tw-runtime-\(UUID().uuidString)")
            .path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }

        let first = try await Running(Self.configuration(), stateDirectory: directory)
        // Seven of eight repeats: no incident yet, but the cluster is in the detector's state.
        try await first.send(Array(Self.repeats(user: "bo").prefix(7)))
        try await waitUntil("seven events processed") { first.pipeline.statistics.eventsProcessed == 7 }
        try await first.stop()
        guard case .restored(let saved, _) = CheckpointStore(directory: directory).load() else {
            Issue.record("no checkpoint written at stop")
            return
        }
        #expect(saved.eventsProcessed == 7)

        // The eighth repeat after the restart completes the incident only if the seven were restored.
        let second = try await Running(Self.configuration(), stateDirectory: directory)
        try await second.send(Array(Self.repeats(user: "bo").suffix(1)))
        let alert = try second.nextAlert()
        #expect(alert.digest.user == "bo" && alert.digest.state == .firing)
        try await second.stop()
    }

    @Test func aReloadAppliesBetweenBatchesAndKeepsState() async throws {
        let running = try await Running(Self.configuration(catchup: false))
        // Three repeats stay under the default of eight...
        try await running.send(Array(Self.repeats(user: "cy").prefix(3)))
        try await waitUntil("three events processed") { running.pipeline.statistics.eventsProcessed == 3 }
        let lowered = {
            var configuration = Self.configuration(catchup: false)
            configuration.detectors.repetitivePrompts.minRepeats = 4
            return configuration
        }()
        let reload = ReloadService(pipeline: running.pipeline, notifier: SystemdNotifier(), logger: Self.logger) {
            lowered
        }
        #expect(await reload.reload())
        // ...and the fourth reaches the reloaded threshold of four: the first three were kept.
        try await running.send(Array(Self.repeats(user: "cy").dropFirst(3).prefix(1)))
        let alert = try running.nextAlert()
        #expect(alert.digest.user == "cy" && alert.digest.detector == .repetitivePrompts)
        // The statistics are published after the batch's alerts are sent.
        try await waitUntil("the reload counted") { running.pipeline.statistics.reloadsSucceeded == 1 }
        try await running.stop()
    }

    @Test func aRefusedReloadKeepsTheConfigurationAndPublishesAnOperationalAlert() async throws {
        let running = try await Running(Self.configuration(catchup: false))
        try await waitUntil("the alert subscription") { running.pipeline.statistics.alertSubscriptions > 0 }
        // Operational alerts are not detector alerts (AlertListener reads only those): a plain SUB reads it.
        let subscriber = try ZMQSocket(context: running.context, type: .sub)
        defer { subscriber.close() }
        try subscriber.setLinger(milliseconds: 0)
        try subscriber.subscribe("alert.tokenwatch.")
        try subscriber.connect(running.endpoints.alerts)
        try await waitUntil("the second subscription") { running.pipeline.statistics.alertSubscriptions > 1 }
        struct Broken: Error {}
        let reload = ReloadService(pipeline: running.pipeline, notifier: SystemdNotifier(), logger: Self.logger) {
            throw Broken()
        }
        #expect(await reload.reload() == false)
        #expect(try subscriber.waitReadable(timeoutMilliseconds: 20_000))
        let frames = try #require(try subscriber.receiveMultipart(dontWait: true))
        #expect(String(decoding: frames[0], as: UTF8.self) == "alert.tokenwatch.config_reload_failed")
        // The statistics are published after the batch's alerts are sent.
        try await waitUntil("the failed reload counted") { running.pipeline.statistics.reloadsFailed == 1 }
        #expect(running.pipeline.settings.configuration.detectors.repetitivePrompts.minRepeats == 8)
        try await running.stop()
    }
}

struct TimedOut: Error, CustomStringConvertible {
    var what: String
    var description: String { "timed out waiting for \(what)" }
}

/// Polls `condition` every 10 ms until it holds, for at most 20 s.
func waitUntil(_ what: String, _ condition: () -> Bool) async throws {
    let deadline = ContinuousClock.now + .seconds(20)
    while !condition() {
        guard ContinuousClock.now < deadline else { throw TimedOut(what: what) }
        try await Task.sleep(for: .milliseconds(10))
    }
}
