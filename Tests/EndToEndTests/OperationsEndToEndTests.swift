import Foundation
import Testing
import ZeroMQ

/// A configuration file in a fresh directory: the shipped defaults with `replacing` applied.
func writeConfig(_ directory: URL, replacing: [(String, String)] = []) throws -> String {
    var text = try String(contentsOfFile: TokenWatchProcess.shippedConfig, encoding: .utf8)
    for (old, new) in replacing {
        guard text.contains(old) else { throw TimedOut(description: "config has no '\(old)'") }
        text = text.replacingOccurrences(of: old, with: new)
    }
    let path = directory.appendingPathComponent("tokenwatch.yaml").path
    try text.write(toFile: path, atomically: true, encoding: .utf8)
    return path
}

func temporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("tokenwatch-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// Filler traffic: distinct prompts from many users, none of which can make an alert.
func fillerEvents(_ count: Int, startingAt offset: Int) -> [String] {
    (0..<count).map { n in
        let i = offset + n
        return
            #"{"ts":"\#(mondayAt(minutes: 8 * 60 + (i / 400)))","user":"filler\#(i % 50)","id":"f\#(i)","input_tokens":200,"output_tokens":5,"prompt_hash":"unique-\#(i)"}"#
    }
}

@Suite("Operating the daemon: reload, systemd, metrics, state", .serialized)
struct OperationsEndToEndTests {
    @Test func checkConfigPrintsTheEffectiveConfiguration() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = try writeConfig(directory, replacing: [("  min_repeats: 8", "  min_repeats: 7")])
        let check = try TokenWatchProcess(["check-config", "--print", path])
        #expect(try check.waitForExit() == 0)
        #expect(check.standardOutput.contains("    min_repeats: 7\n"))
        #expect(check.standardOutput.contains("    min_iterations: 20\n"))
        #expect(check.standardOutput.contains("  cooldown: 30m\n"))
    }

    @Test func aReloadUnderAStreamChangesAThresholdAndLosesNoEvent() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let config = try writeConfig(directory)
        let daemon = try DaemonUnderTest.start(configPath: config)
        let context = try ZMQContext()
        let subscriber = try TestSubscriber(context: context, connect: daemon.alerts)
        try daemon.process.waitForLog("alert subscriber joined")
        let publisher = try TestPublisher(context: context, connect: daemon.events)

        var sent = 0
        // Six equal prompts: below min_repeats 8.
        for n in 0..<6 {
            try publisher.publish(tokenEvent("alice", minute: 8 * 60 + n, id: "a\(n)", prompt: "Rate my inbox again"))
            sent += 1
        }
        for event in fillerEvents(1500, startingAt: 0) {
            try publisher.publish(event)
            sent += 1
        }
        _ = try writeConfig(directory, replacing: [("  min_repeats: 8", "  min_repeats: 5")])
        daemon.process.signal(SIGHUP)
        // The stream goes on while the daemon reloads.
        for event in fillerEvents(1500, startingAt: 1500) {
            try publisher.publish(event)
            sent += 1
        }
        try daemon.process.waitForLog("configuration reloaded")
        // The seventh: 7 ≥ the new min_repeats 5 (the cluster kept its six earlier prompts across the reload).
        try publisher.publish(tokenEvent("alice", minute: 8 * 60 + 6, id: "a6", prompt: "Rate my inbox again"))
        sent += 1

        let alert = try subscriber.next()
        #expect(alert.object["subject"] as? [String: String] == ["user": "alice"])
        #expect((alert.object["threshold"] as? [String: Any])?["min_repeats"] as? Int == 5)
        #expect((alert.object["observed"] as? [String: Any])?["repeats"] as? Int == 7)
        try waitUntil("every event counted", timeout: .seconds(20)) {
            (try? parsePrometheus(httpGet(daemon.metrics, "/metrics").body))?["tokenwatch_events_received_total"]
                == Double(sent)
        }
        let metrics = try parsePrometheus(httpGet(daemon.metrics, "/metrics").body)
        #expect(metrics["tokenwatch_config_reloads_total{result=\"success\"}"] == 1)
        daemon.process.signal(SIGTERM)
        #expect(try daemon.process.waitForExit() == 0)
        #expect(
            daemon.process.standardError.contains { $0.contains("stopped") && $0.contains("events_received=\(sent)") })
    }

    @Test func aBrokenReloadKeepsTheRunningConfigurationAndRaisesAnAlert() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let config = try writeConfig(directory)
        let daemon = try DaemonUnderTest.start(configPath: config)
        let context = try ZMQContext()
        let operational = try TestSubscriber(context: context, connect: daemon.alerts, topic: "alert.tokenwatch")
        let detections = try TestSubscriber(context: context, connect: daemon.alerts, topic: "alert.repetitive_prompts")
        try daemon.process.waitForLog("alert subscriber joined", count: 2)

        try "detectors:\n  repetitive_prompts:\n    min_repeats: two\n".write(
            toFile: config, atomically: true, encoding: .utf8)
        daemon.process.signal(SIGHUP)
        let alert = try operational.next()
        #expect(alert.topic == "alert.tokenwatch.config_reload_failed")
        #expect(alert.object["severity"] as? String == "critical")
        #expect(
            (alert.object["details"] as? [String])?.first
                == "\(config):3:18: detectors.repetitive_prompts.min_repeats: must be an integer, not 'two'")
        try daemon.process.waitForLog("configuration reload failed")

        // The old threshold (8) still holds: seven repeats are quiet, the eighth fires.
        let publisher = try TestPublisher(context: context, connect: daemon.events)
        for n in 0..<8 {
            try publisher.publish(tokenEvent("bob", minute: n, id: "b\(n)", prompt: "Again the same words"))
        }
        let fired = try detections.next()
        #expect((fired.object["observed"] as? [String: Any])?["repeats"] as? Int == 8)
        // Operational alerts take no place in the detector alerts' sequence: replicas fed the same events keep
        // the same seq whatever happens to one of them.
        #expect(alert.object["seq"] == nil)
        #expect(fired.object["seq"] as? Int == 0)
        let metrics = try parsePrometheus(httpGet(daemon.metrics, "/metrics").body)
        #expect(metrics["tokenwatch_config_reloads_total{result=\"failure\"}"] == 1)
        daemon.process.signal(SIGTERM)
        #expect(try daemon.process.waitForExit() == 0)
    }

    @Test func aNotifySocketNobodyReadsNeverStallsTheDaemon() throws {
        // systemd's notify socket full from the start (its reader busy, or a NOTIFY_SOCKET nobody reads): a send
        // that waited for room would hold the task that makes it, and with it READY=1, the shutdown and, on a
        // small machine, the cooperative pool. The daemon must start, detect, alert and stop regardless.
        let notify = try NotifySocket(abstract: true)
        #expect(try notify.fill() >= 1)
        let daemon = try DaemonUnderTest.start(environment: [
            "NOTIFY_SOCKET": notify.address, "WATCHDOG_USEC": "200000",
        ])
        let context = try ZMQContext()
        let subscriber = try TestSubscriber(context: context, connect: daemon.alerts)
        try daemon.process.waitForLog("alert subscriber joined")
        let publisher = try TestPublisher(context: context, connect: daemon.events)
        // Eight equal prompts a minute apart: the eighth reaches min_repeats 8.
        for n in 0..<8 {
            try publisher.publish(
                tokenEvent("erin", minute: n, id: "n\(n)", prompt: "Summarize the unread newsletters"))
        }
        #expect(try subscriber.next().object["detector"] as? String == "repetitive_prompts")
        daemon.process.signal(SIGTERM)
        #expect(try daemon.process.waitForExit() == 0)
    }

    @Test(arguments: [false, true])
    func systemdNotificationsArriveInOrder(abstract: Bool) throws {
        let notify = try NotifySocket(abstract: abstract)
        let daemon = try DaemonUnderTest.start(environment: [
            "NOTIFY_SOCKET": notify.address, "WATCHDOG_USEC": "200000",
        ])
        var messages: [String] = []
        func next() throws -> String {
            let message = try notify.next()
            messages.append(message)
            return message
        }
        // STATUS= and WATCHDOG=1 may come before READY=1 (systemd accepts both); nothing else may.
        try waitUntil("READY=1", timeout: .seconds(20)) { try next().hasPrefix("READY=1") }
        // Watchdog pings every 100 ms (half of 200 ms) while the pipeline is alive.
        try waitUntil("two watchdog pings", timeout: .seconds(20)) {
            _ = try next()
            return messages.filter { $0 == "WATCHDOG=1" }.count >= 2
        }
        daemon.process.signal(SIGHUP)
        var reloading: String?
        try waitUntil("RELOADING=1", timeout: .seconds(20)) {
            let m = try next()
            if m.hasPrefix("RELOADING=1") { reloading = m }
            return reloading != nil
        }
        try waitUntil("READY=1 after the reload", timeout: .seconds(20)) { try next().hasPrefix("READY=1") }
        daemon.process.signal(SIGTERM)
        try waitUntil("STOPPING=1", timeout: .seconds(20)) { try next() == "STOPPING=1" }
        #expect(try daemon.process.waitForExit() == 0)

        let lifecycle = messages.filter { !$0.hasPrefix("WATCHDOG") && !$0.hasPrefix("STATUS") }.map {
            $0.split(separator: "\n")[0]
        }
        #expect(lifecycle == ["READY=1", "RELOADING=1", "READY=1", "STOPPING=1"])
        // MONOTONIC_USEC is CLOCK_MONOTONIC in microseconds: compare with our own reading.
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        let usec = reloading.flatMap { $0.split(separator: "\n").last }.flatMap {
            Int64($0.dropFirst("MONOTONIC_USEC=".count))
        }
        let current = Int64(now.tv_sec) * 1_000_000 + Int64(now.tv_nsec) / 1000
        #expect(usec.map { current - $0 >= 0 && current - $0 < 60_000_000 } == true)
        #expect(messages.contains { $0.hasPrefix("STATUS=events ") })
    }

    @Test func metricsParseAndCountWhatWasSent() throws {
        let daemon = try DaemonUnderTest.start()
        let context = try ZMQContext()
        let publisher = try TestPublisher(context: context, connect: daemon.events)
        for n in 0..<5 {
            try publisher.publish(tokenEvent("carol", minute: n, id: "c\(n)", prompt: "Prompt number \(n) of five"))
        }
        try publisher.publish(frames: [Array("tokens".utf8), Array("{oops".utf8)])
        try publisher.publish(frames: [Array("tokens".utf8), Array("[]x".utf8)])
        try publisher.publish(frames: [
            Array("tokens".utf8), Array(#"{"ts":0,"input_tokens":1,"output_tokens":1}"#.utf8),
        ])
        // In `run`, an event a day ahead of the wall clock is refused (events.max_future 5 min).
        let tomorrow = Int64(Date().timeIntervalSince1970 * 1000) + 86_400_000
        try publisher.publish(#"{"ts":\#(tomorrow),"user":"x","input_tokens":1,"output_tokens":1}"#)
        // Two days behind the stream's watermark (events.max_age 24 h): refused too.
        try publisher.publish(#"{"ts":"2026-10-31T00:00:00Z","user":"x","input_tokens":1,"output_tokens":1}"#)

        var samples: [String: Double] = [:]
        try waitUntil("10 events counted", timeout: .seconds(20)) {
            samples = try parsePrometheus(httpGet(daemon.metrics, "/metrics").body)
            return samples["tokenwatch_events_received_total"] == 10
        }
        // Read again: the daemon counts the events after what they caused, so a scrape that begins after one saw
        // them all counted sees every rejection too (within one scrape the counters may be read in any order).
        samples = try parsePrometheus(httpGet(daemon.metrics, "/metrics").body)
        #expect(samples["tokenwatch_events_rejected_total{reason=\"too_old\"}"] == 1)
        #expect(samples["tokenwatch_events_processed_total"] == 5)
        #expect(samples["tokenwatch_events_rejected_total{reason=\"malformed_json\"}"] == 2)
        #expect(samples["tokenwatch_events_rejected_total{reason=\"missing_field\"}"] == 1)
        #expect(samples["tokenwatch_events_rejected_total{reason=\"too_far_ahead\"}"] == 1)
        #expect(samples["tokenwatch_events_rejected_total{reason=\"invalid_utf8\"}"] == 0)
        #expect(samples["tokenwatch_build_info{version=\"0.1.0\"}"] == 1)
        #expect(samples["tokenwatch_tracked_subjects{detector=\"repetitive_prompts\"}"] == 1)
        #expect(samples["tokenwatch_event_processing_seconds_count"].map { $0 >= 1 } == true)
        #expect(samples["tokenwatch_events_late_total"] == 0)
        #expect(samples.keys.contains("tokenwatch_config_reloads_total{result=\"success\"}"))
        let health = try httpGet(daemon.metrics, "/healthz")
        #expect(health.status == 200 && health.body == "ok\n")
        #expect(try httpGet(daemon.metrics, "/nope").status == 404)
        daemon.process.signal(SIGTERM)
        #expect(try daemon.process.waitForExit() == 0)
    }

    @Test func anIncidentThatStraddlesARestartStillFires() throws {
        let state = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: state) }
        let prompt = "Summarize the unread newsletters once more"
        let first = try DaemonUnderTest.start(extraArguments: ["--state-dir", state.path])
        let context = try ZMQContext()
        do {
            let publisher = try TestPublisher(context: context, connect: first.events)
            for n in 0..<5 { try publisher.publish(tokenEvent("dana", minute: n, id: "d\(n)", prompt: prompt)) }
            try waitUntil("five events processed", timeout: .seconds(20)) {
                (try? parsePrometheus(httpGet(first.metrics, "/metrics").body))?["tokenwatch_events_processed_total"]
                    == 5
            }
        }
        first.process.signal(SIGTERM)
        #expect(try first.process.waitForExit() == 0)
        let checkpoint = state.appendingPathComponent("checkpoint.json")
        let saved = try String(contentsOf: checkpoint, encoding: .utf8)
        #expect(saved.contains("dana"))
        #expect(!saved.contains("newsletters"), "a checkpoint must hold fingerprints, never prompt text")

        let second = try DaemonUnderTest.start(extraArguments: ["--state-dir", state.path])
        #expect(second.process.standardError.contains { $0.contains("state restored") && $0.contains("events=5") })
        let subscriber = try TestSubscriber(context: context, connect: second.alerts)
        try second.process.waitForLog("alert subscriber joined")
        let publisher = try TestPublisher(context: context, connect: second.events)
        for n in 5..<8 { try publisher.publish(tokenEvent("dana", minute: n, id: "d\(n)", prompt: prompt)) }
        let alert = try subscriber.next()
        // Five before the restart and three after: the eighth repeat fires.
        #expect((alert.object["observed"] as? [String: Any])?["repeats"] as? Int == 8)
        #expect(alert.object["evidence"] as? [String] == ["d3", "d4", "d5", "d6", "d7"])
        second.process.signal(SIGTERM)
        #expect(try second.process.waitForExit() == 0)
    }

    @Test func aStopInTheMiddleOfABurstHandlesEveryEventReceived() throws {
        // Events are decoded on one thread and detected on another, with up to 8 batches of 512 between them;
        // a stop must still run every event taken off the socket through the detectors before the final
        // checkpoint. 20 000 events are sent as fast as possible and the stop follows at once.
        let state = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: state) }
        let daemon = try DaemonUnderTest.start(extraArguments: ["--state-dir", state.path])
        let publisher = try TestPublisher(context: try ZMQContext(), connect: daemon.events)
        for line in fillerEvents(20_000, startingAt: 0) { try publisher.publish(line) }
        try waitUntil("the burst arriving", timeout: .seconds(20)) {
            ((try? parsePrometheus(httpGet(daemon.metrics, "/metrics").body))?["tokenwatch_events_received_total"] ?? 0)
                > 0
        }
        daemon.process.signal(SIGTERM)
        #expect(try daemon.process.waitForExit(timeout: .seconds(60)) == 0)
        let stopped = try #require(daemon.process.standardError.first { $0.contains("ingest stopped") })
        func count(_ name: String) -> Int? {
            stopped.split(separator: " ").first { $0.hasPrefix(name + "=") }.flatMap {
                Int($0.dropFirst(name.count + 1))
            }
        }
        let received = try #require(count("events"))
        // Every message the decode thread took off the socket reached the detection thread.
        #expect(count("decoded") == received)
        let checkpoint =
            try JSONSerialization.jsonObject(with: Data(contentsOf: state.appendingPathComponent("checkpoint.json")))
            as? [String: Any]
        let processed = (checkpoint?["engine"] as? [String: Any])?["eventsProcessed"] as? Int
        #expect(received > 0 && received <= 20_000)
        #expect(processed == received, "received \(received), processed \(processed.map(String.init) ?? "?")")
    }

    @Test func theHotPathThreadsAreNamedForOperators() throws {
        // `top -H`, `perf` and /proc show these names: the two threads whose load and liveness matter.
        let daemon = try DaemonUnderTest.start()
        let pid = daemon.process.processIdentifier
        let tasks = try FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task")
        let names = Set(
            tasks.compactMap { try? String(contentsOfFile: "/proc/\(pid)/task/\($0)/comm", encoding: .utf8) }
                .map { $0.trimmingCharacters(in: .whitespacesAndNewlines) })
        #expect(names.isSuperset(of: ["tw-decode", "tw-ingest"]), "threads: \(names.sorted())")
        daemon.process.signal(SIGTERM)
        #expect(try daemon.process.waitForExit() == 0)
    }

    @Test(arguments: [("", "8"), ("lg_extent_max_active_fit:6", "6")])
    func theDaemonSaysWhatItsAllocatorRunsWith(malloc: String, expected: String) throws {
        // The option built into the executable (BENCHMARKS.md, "The allocator") reaches jemalloc, and an
        // operator's MALLOC_CONF still overrides it: the value is read back from the allocator, not the text.
        let daemon = try DaemonUnderTest.start(environment: ["MALLOC_CONF": malloc])
        let starting = daemon.process.standardError.first { $0.contains("starting") } ?? ""
        #expect(starting.contains("allocator=jemalloc lg_extent_max_active_fit=\(expected) "), "\(starting)")
        daemon.process.signal(SIGTERM)
        #expect(try daemon.process.waitForExit() == 0)
    }

    @Test func aCorruptCheckpointIsSetAsideAndTheDaemonStartsFresh() throws {
        let state = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: state) }
        try "{\"version\":1,\"engine\":{trunc".write(
            to: state.appendingPathComponent("checkpoint.json"), atomically: true, encoding: .utf8)
        let daemon = try DaemonUnderTest.start(extraArguments: ["--state-dir", state.path])
        #expect(daemon.process.standardError.contains { $0.contains("checkpoint set aside") })
        let files = try FileManager.default.contentsOfDirectory(atPath: state.path)
        #expect(files.contains { $0.hasPrefix("checkpoint.json.corrupt-") })
        daemon.process.signal(SIGTERM)
        #expect(try daemon.process.waitForExit() == 0)
        // The final checkpoint is a fresh, readable one.
        let data = try Data(contentsOf: state.appendingPathComponent("checkpoint.json"))
        #expect((try JSONSerialization.jsonObject(with: data) as? [String: Any])?["version"] as? Int == 3)
    }

    /// An upgrade: a checkpoint of the release before the detection shards (format 2, Tests/Fixtures) is
    /// restored, split by user, and written back in the current format.
    @Test func aCheckpointFromBeforeTheShardsIsRestoredAndSplit() throws {
        let state = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: state) }
        try FileManager.default.copyItem(
            at: TokenWatchProcess.packageRoot.appendingPathComponent("Tests/Fixtures/checkpoint-v2.json"),
            to: state.appendingPathComponent("checkpoint.json"))
        let daemon = try DaemonUnderTest.start(extraArguments: ["--state-dir", state.path])
        #expect(daemon.process.standardError.contains { $0.contains("its state was split by user") })
        // The fixture's engine had published 18 alerts (seq 0 to 17) over 2 476 events.
        #expect(daemon.process.standardError.contains { $0.contains("events=2476") && $0.contains("state restored") })
        #expect(daemon.process.standardError.contains { $0.contains("next_seq=18") })
        daemon.process.signal(SIGTERM)
        #expect(try daemon.process.waitForExit() == 0)
        let data = try Data(contentsOf: state.appendingPathComponent("checkpoint.json"))
        let written = try JSONSerialization.jsonObject(with: data) as? [String: Any]
        #expect(written?["version"] as? Int == 3)
        #expect(((written?["engine"] as? [String: Any])?["shards"] as? [Any])?.count == 64)
    }

    @Test func systemdAcceptsTheUnit() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let analyze = "/usr/bin/systemd-analyze"
        try #require(
            FileManager.default.isExecutableFile(atPath: analyze), "systemd-analyze is part of Debian's systemd package"
        )
        // The unit names the installed path; point it at the binary under test so verify can check it exists.
        var unit = try String(
            contentsOf: TokenWatchProcess.packageRoot.appendingPathComponent("systemd/tokenwatch.service"),
            encoding: .utf8)
        unit = unit.replacingOccurrences(of: "/usr/local/bin/tokenwatch", with: TokenWatchProcess.binary.path)
        let path = directory.appendingPathComponent("tokenwatch.service").path
        try unit.write(toFile: path, atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: analyze)
        process.arguments = ["verify", path]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        process.waitUntilExit()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(process.terminationStatus == 0, "\(text)")
        #expect(!text.contains("tokenwatch.service"), "\(text)")
        #expect(unit.contains("Type=notify") && unit.contains("WatchdogSec=") && unit.contains("ExecReload="))
    }
}
