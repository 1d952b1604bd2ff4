import Foundation
import Testing
import ZeroMQ

/// Monday 2026-11-02T00:00:00Z plus `minutes`, as RFC 3339.
func mondayAt(minutes: Int) -> String {
    String(format: "2026-11-02T%02d:%02d:00Z", minutes / 60, minutes % 60)
}

/// One event a minute apart from the next reads, to `scripted_cadence`, as a schedule; each test event carries
/// its own session, which that detector follows separately, so only the detector under test sees a pattern.
func tokenEvent(_ user: String, minute: Int, id: String, prompt: String, tokens: Int = 200) -> String {
    #"{"ts":"\#(mondayAt(minutes: minute))","user":"\#(user)","id":"\#(id)","session":"\#(id)","input_tokens":\#(tokens),"output_tokens":50,"prompt":"\#(prompt)"}"#
}

@Suite("The real daemon over real sockets", .serialized)
struct DaemonEndToEndTests {
    /// Starts `tokenwatch run` on fresh loopback ports and connects an alert subscriber, waiting until the
    /// daemon has seen the subscription (it logs each one).
    func startDaemon(extraArguments: [String] = [], environment: [String: String] = [:]) throws
        -> (TokenWatchProcess, events: String, alerts: String)
    {
        let daemon = try DaemonUnderTest.start(extraArguments: extraArguments, environment: environment)
        return (daemon.process, daemon.events, daemon.alerts)
    }

    @Test func aRepeatedPromptFiresOneAlertAndResolvesOnce() throws {
        let (daemon, events, alerts) = try startDaemon()
        let context = try ZMQContext()
        let subscriber = try TestSubscriber(context: context, connect: alerts)
        try daemon.waitForLog("alert subscriber joined")
        let publisher = try TestPublisher(context: context, connect: events)

        // Twelve equal prompts a minute apart: the eighth (minute 7) reaches min_repeats 8. The last finding is
        // at minute 11; an event at minute 26 moves event time past 11 + 15 (resolve_after) and resolves it.
        for n in 0..<12 {
            try publisher.publish(
                tokenEvent("alice", minute: n, id: "e\(n)", prompt: "Triage my inbox and draft polite replies"))
        }
        try publisher.publish(tokenEvent("bob", minute: 26, id: "b1", prompt: "Something else entirely"))

        let firing = try subscriber.next()
        #expect(firing.topic == "alert.repetitive_prompts.warning")
        #expect(firing.topicSequence == 0)
        #expect(firing.object["seq"] as? Int == 0)
        #expect(firing.object["detector"] as? String == "repetitive_prompts")
        #expect(firing.object["severity"] as? String == "warning")
        #expect(firing.object["state"] as? String == "firing")
        #expect(firing.object["subject"] as? [String: String] == ["user": "alice"])
        #expect(firing.object["ts"] as? String == "2026-11-02T00:07:00.000Z")
        #expect(
            firing.object["window"] as? [String: String] == [
                "start": "2026-11-02T00:00:00.000Z", "end": "2026-11-02T00:07:00.000Z",
            ])
        #expect((firing.object["observed"] as? [String: Any])?["repeats"] as? Int == 8)
        #expect((firing.object["threshold"] as? [String: Any])?["min_repeats"] as? Int == 8)
        #expect(firing.object["evidence"] as? [String] == ["e3", "e4", "e5", "e6", "e7"])
        #expect((firing.object["id"] as? String)?.count == 16)
        #expect(!firing.payload.contains("Triage"), "prompt text must never be published")

        let resolved = try subscriber.next()
        #expect(resolved.topic == "alert.repetitive_prompts.resolved")
        #expect(resolved.topicSequence == 0)  // counted per topic
        #expect(resolved.object["seq"] as? Int == 1)  // counted over every alert
        #expect(resolved.object["state"] as? String == "resolved")
        #expect(resolved.object["incident"] as? String == firing.object["incident"] as? String)
        #expect(resolved.object["ts"] as? String == "2026-11-02T00:26:00.000Z")
        #expect((resolved.object["observed"] as? [String: Any])?["repeats"] as? Int == 12)

        daemon.signal(SIGTERM)
        #expect(try daemon.waitForExit() == 0)
        #expect(daemon.standardError.contains { $0.contains("stopped") && $0.contains("events_received=13") })
        #expect(!daemon.standardError.joined().contains("Triage"))
    }

    @Test func malformedEventsAreDroppedCountedAndTheDaemonKeepsServing() throws {
        let (daemon, events, alerts) = try startDaemon()
        let context = try ZMQContext()
        let subscriber = try TestSubscriber(context: context, connect: alerts)
        try daemon.waitForLog("alert subscriber joined")
        let publisher = try TestPublisher(context: context, connect: events)

        let bad: [[[UInt8]]] = [
            [Array("tokens".utf8)],  // one frame
            [Array("tokens".utf8), Array("{}".utf8), Array("extra".utf8)],  // three frames
            [Array("tokens".utf8), Array("{not json".utf8)],
            [Array("tokens".utf8), [0x7B, 0x22, 0xFF, 0xFE, 0x22, 0x3A, 0x31, 0x7D]],  // invalid UTF-8
            [Array("tokens".utf8), Array(#"{"ts":"2026-11-02T00:00:00Z","input_tokens":1,"output_tokens":1}"#.utf8)],
            [
                Array("tokens".utf8),
                Array(#"{"ts":"2026-11-02T00:00:00Z","user":"x","input_tokens":-5,"output_tokens":1}"#.utf8),
            ],
            [
                Array("tokens".utf8),
                Array((String(repeating: "[", count: 200) + String(repeating: "]", count: 200)).utf8),
            ],
            [
                Array("tokens".utf8),
                Array(
                    #"{"ts":"2026-11-02T00:00:00Z","user":"\#(String(repeating: "u", count: 5000))","input_tokens":1,"output_tokens":1}"#
                        .utf8),
            ],
            [Array("tokens".utf8), [UInt8](repeating: 0x20, count: 100_000)],  // over max_message_bytes (64 KiB)
        ]
        for frames in bad { try publisher.publish(frames: frames) }
        for n in 0..<8 {
            try publisher.publish(
                tokenEvent("carol", minute: n, id: "c\(n)", prompt: "Rewrite the weekly status report"))
        }
        let alert = try subscriber.next()
        #expect(alert.object["subject"] as? [String: String] == ["user": "carol"])

        let expectedReasons = [
            "wrong_frame_count", "malformed_json", "invalid_utf8", "missing_field", "out_of_range",
            "too_deep", "field_too_long", "too_large",
        ]
        for reason in expectedReasons { try daemon.waitForLog("reason=\(reason)") }
        #expect(daemon.isRunning)
        daemon.signal(SIGINT)
        #expect(try daemon.waitForExit() == 0)
        #expect(
            daemon.standardError.contains {
                $0.contains("stopped") && $0.contains("events_received=17") && $0.contains("events_rejected=9")
            })
    }

    /// Also with any number of detection threads: replay on one and on three, the daemon on its default.
    @Test func replayOfAFileGivesTheSameAlertsAsRunFedTheSameEvents() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tokenwatch-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("events.jsonl").path

        let generate = try TokenWatchProcess([
            "generate", "--output", file, "--population", "agentic", "--people", "20", "--days", "2", "--seed", "5",
        ])
        #expect(try generate.waitForExit(timeout: .seconds(60)) == 0)
        let replay = try TokenWatchProcess([
            "replay", "--config", TokenWatchProcess.shippedConfig, "--threads", "1", file,
        ])
        #expect(try replay.waitForExit(timeout: .seconds(60)) == 0)
        let replayed = replay.standardOutput.split(separator: "\n").map(String.init)
        let threeThreads = try TokenWatchProcess([
            "replay", "--config", TokenWatchProcess.shippedConfig, "--threads", "3", file,
        ])
        #expect(try threeThreads.waitForExit(timeout: .seconds(60)) == 0)
        #expect(threeThreads.standardOutput.split(separator: "\n").map(String.init) == replayed)
        let detectors = Set(
            replayed.compactMap { line in
                (try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])?["detector"] as? String
            })
        // The agentic population has busywork for every detector.
        #expect(
            detectors
                == Set([
                    "repetitive_prompts", "offhours_burst", "agent_loop", "scripted_cadence", "trivial_flood",
                    "context_padding",
                ]))

        let (daemon, events, alerts) = try startDaemon()
        let context = try ZMQContext()
        let subscriber = try TestSubscriber(context: context, connect: alerts)
        try daemon.waitForLog("alert subscriber joined")
        let publisher = try TestPublisher(context: context, connect: events)
        let lines = try String(contentsOfFile: file, encoding: .utf8).split(separator: "\n")
        for line in lines { try publisher.publish(String(line)) }
        var live: [String] = []
        for _ in 0..<replayed.count { live.append(try subscriber.next().payload) }
        #expect(live == replayed)
        daemon.signal(SIGTERM)
        #expect(try daemon.waitForExit() == 0)
        #expect(
            daemon.standardError.contains {
                $0.contains("stopped") && $0.contains("events_received=\(lines.count)")
                    && $0.contains("alerts_published=\(replayed.count)")
            })
    }

    @Test func theTailCommandPrintsAlertsAsJSONLines() throws {
        let (daemon, events, alerts) = try startDaemon()
        let tail = try TokenWatchProcess(["tail", "--connect", alerts, "--json", "--count", "1"])
        try daemon.waitForLog("alert subscriber joined")
        let publisher = try TestPublisher(context: try ZMQContext(), connect: events)
        for n in 0..<8 {
            try publisher.publish(tokenEvent("dave", minute: n, id: "d\(n)", prompt: "Summarize the standup notes"))
        }
        #expect(try tail.waitForExit() == 0)
        let line = tail.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)
        let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
        #expect(object?["detector"] as? String == "repetitive_prompts")
        #expect(object?["subject"] as? [String: String] == ["user": "dave"])
        daemon.signal(SIGTERM)
        #expect(try daemon.waitForExit() == 0)
    }

    @Test func aPortInUseIsAClearErrorAndExitOne() throws {
        let context = try ZMQContext()
        let blocker = try ZMQSocket(context: context, type: .pub)
        try blocker.setLinger(milliseconds: 0)
        try blocker.bind("tcp://127.0.0.1:*")
        let taken = try blocker.lastEndpoint
        let alerts = try freeEndpoints(1)[0]
        let daemon = try TokenWatchProcess([
            "run", "--config", TokenWatchProcess.shippedConfig, "--events", taken, "--alerts", alerts,
            "--metrics", "", "--catchup", "",
        ])
        // A wait for a line the daemon will never write ends when it exits, with the reason, not at the deadline.
        #expect(throws: ExitedEarly.self) { try daemon.waitForLog("] ready") }
        #expect(try daemon.waitForExit() == 1)
        #expect(daemon.standardError.contains { $0.contains("bind \(taken)") && $0.contains("Address already in use") })
    }
}
