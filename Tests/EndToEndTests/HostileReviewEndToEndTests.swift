import Foundation
import Testing
import ZeroMQ

/// The defects a hostile review of the running daemon found, each reproduced against the real binary.
@Suite("Hostile review: nothing lost, nothing forged", .serialized)
struct HostileReviewEndToEndTests {
    /// A 300 KB prompt (ordinary for a long-context agent) among small events: refused and counted as
    /// `too_large`, and no neighbour lost. libzmq drops a peer whose message exceeds `ZMQ_MAXMSGSIZE`, with
    /// everything it had queued, so that limit must sit far above the application's.
    @Test func anOversizedEventIsRefusedWithoutCostingItsNeighbours() throws {
        let daemon = try DaemonUnderTest.start()
        let context = try ZMQContext()
        let publisher = try TestPublisher(context: context, connect: daemon.events)
        let huge =
            #"{"ts":"2026-11-02T10:00:00Z","user":"big","input_tokens":1,"output_tokens":1,"prompt":""#
            + String(repeating: "long context ", count: 25_000) + #""}"#
        #expect(huge.utf8.count > 4 * 65_536)
        for n in 0..<1000 {
            try publisher.publish(
                tokenEvent("small\(n % 50)", minute: n / 50, id: "s\(n)", prompt: "prompt \(n) of many"))
            if n % 250 == 125 { try publisher.publish(huge) }
        }
        var samples: [String: Double] = [:]
        try waitUntil("1004 messages counted", timeout: .seconds(30)) {
            samples = try parsePrometheus(httpGet(daemon.metrics, "/metrics").body)
            return samples["tokenwatch_events_received_total"] == 1004
        }
        samples = try parsePrometheus(httpGet(daemon.metrics, "/metrics").body)
        #expect(samples["tokenwatch_events_processed_total"] == 1000)
        #expect(samples["tokenwatch_events_rejected_total{reason=\"too_large\"}"] == 4)
        daemon.process.signal(SIGTERM)
        #expect(try daemon.process.waitForExit() == 0)
    }
}

extension HostileReviewEndToEndTests {
    /// A second daemon on the same state directory would interleave journal segments and overwrite the
    /// checkpoint: it is refused before it binds, with the holder named, and the first keeps its state.
    @Test func aSecondDaemonOnTheSameStateDirectoryIsRefused() throws {
        let state = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: state) }
        let first = try DaemonUnderTest.start(extraArguments: ["--state-dir", state.path])
        let endpoints = try freeEndpoints(4)
        let second = try TokenWatchProcess([
            "run", "--config", TokenWatchProcess.shippedConfig, "--events", endpoints[0], "--alerts", endpoints[1],
            "--metrics", String(endpoints[2].dropFirst("tcp://".count)), "--catchup", endpoints[3],
            "--state-dir", state.path,
        ])
        #expect(try second.waitForExit() == 1)
        #expect(
            second.standardError.contains {
                $0.contains("in use by another tokenwatch (pid \(first.process.processIdentifier))")
            })
        first.process.signal(SIGTERM)
        #expect(try first.process.waitForExit() == 0)
        // Released at exit: the directory can be used again.
        let third = try DaemonUnderTest.start(extraArguments: ["--state-dir", state.path])
        third.process.signal(SIGTERM)
        #expect(try third.process.waitForExit() == 0)
    }
}

extension HostileReviewEndToEndTests {
    /// A user id with ESC, BEL and CR-LF, and a subscriber whose topic prefix carries an ESC sequence: neither
    /// reaches the terminal or the log raw. `tail` prints them as visible escapes; `--json` stays exact.
    @Test func publisherControlledTextIsEscapedInTailAndLogs() throws {
        let daemon = try DaemonUnderTest.start()
        let context = try ZMQContext()
        let tail = try TokenWatchProcess(["tail", "--connect", daemon.alerts])
        let json = try TokenWatchProcess(["tail", "--connect", daemon.alerts, "--json"])
        let prying = try ZMQSocket(context: context, type: .sub)
        defer { prying.close() }
        try prying.setLinger(milliseconds: 0)
        try prying.subscribe("alert\u{1B}[2J\r\nforged log line")
        try prying.connect(daemon.alerts)
        try waitUntil("three subscriptions", timeout: .seconds(20)) {
            daemon.process.standardError.filter { $0.contains("alert subscriber joined") }.count >= 3
        }
        let user = "mallory\u{1B}]0;owned\u{07}\r\n2026-11-02T10:00:00Z  CRITICAL  forged"
        let escapedUser = String(data: try JSONEncoder().encode(user), encoding: .utf8)!
        let publisher = try TestPublisher(context: context, connect: daemon.events)
        for (n, minute) in [0, 1, 3, 4, 8, 9, 13, 14].enumerated() {
            try publisher.publish(
                #"{"ts":"2026-11-02T10:\#(minute < 10 ? "0" : "")\#(minute):00Z","id":"m\#(n)","user":\#(escapedUser),"#
                    + #""input_tokens":10,"output_tokens":5,"prompt":"the same words about the quarterly budget"}"#)
        }
        try waitUntil("both tails print the alert", timeout: .seconds(20)) {
            tail.standardOutput.contains("repetitive_prompts") && json.standardOutput.contains("repetitive_prompts")
        }
        let forbidden: Set<UInt8> = [0x07, 0x0D, 0x1B]
        #expect(!tail.standardOutput.utf8.contains { forbidden.contains($0) })
        // Ids are normalised on arrival (lower case), control characters and all.
        #expect(tail.standardOutput.contains(#"mallory\u{1B}]0;owned\u{7}\u{D}\u{A}2026-11-02t10:00:00z"#))
        #expect(!daemon.process.standardError.joined().utf8.contains { forbidden.contains($0) })
        #expect(daemon.process.standardError.contains { $0.contains(#"alert\u{1B}[2J\u{D}\u{A}forged log line"#) })
        // The JSON consumer gets the id exactly as published.
        let line = try #require(json.standardOutput.split(separator: "\n").first)
        let alert = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
        #expect((alert?["subject"] as? [String: String])?["user"] == user.lowercased())
        for process in [tail, json, daemon.process] { process.signal(SIGTERM) }
        #expect(try daemon.process.waitForExit() == 0)
    }
}

extension HostileReviewEndToEndTests {
    /// Nonsense is refused with a reason and counted, not accepted silently: a `tz` no time zone database has
    /// (or a path), and catch-up requests whose `since` is not a sequence number (which wrapped to 2^64 − 1).
    @Test func nonsenseTimeZonesAndCatchupRequestsAreRefusedAndCounted() throws {
        let daemon = try DaemonUnderTest.start()
        let context = try ZMQContext()
        let publisher = try TestPublisher(context: context, connect: daemon.events)
        for (n, zone) in ["Mars/Olympus", "../../etc/passwd", "Europe/Berlin"].enumerated() {
            try publisher.publish(
                #"{"ts":"2026-11-02T10:0\#(n):00Z","user":"zed","tz":"\#(zone)","input_tokens":5,"output_tokens":5}"#)
        }
        let dealer = try ZMQSocket(context: context, type: .dealer)
        defer { dealer.close() }
        try dealer.setLinger(milliseconds: 0)
        try dealer.connect(daemon.catchup)
        var replies: [String] = []
        for request in [
            #"{"since": -1}"#, #"{"since": 1e30}"#, #"{"since": 1.5}"#, #"{"since": "0"}"#, #"{"since": 0}"#,
        ] {
            try dealer.send(frames: [Array(request.utf8)])
            guard try dealer.waitReadable(timeoutMilliseconds: 10_000), let reply = try dealer.receiveMultipart() else {
                throw TimedOut(description: "no catch-up reply to \(request)")
            }
            replies.append(String(decoding: reply.last ?? [], as: UTF8.self))
        }
        #expect(replies.prefix(4).allSatisfy { $0.hasPrefix(#"{"error":"#) })
        #expect(replies.last?.hasPrefix(#"{"first":null,"last":null,"next":0,"#) == true)
        var samples: [String: Double] = [:]
        try waitUntil("3 events and 4 refusals counted", timeout: .seconds(20)) {
            samples = try parsePrometheus(httpGet(daemon.metrics, "/metrics").body)
            return samples["tokenwatch_events_received_total"] == 3 && samples["tokenwatch_catchup_refusals_total"] == 4
        }
        samples = try parsePrometheus(httpGet(daemon.metrics, "/metrics").body)
        #expect(samples["tokenwatch_events_rejected_total{reason=\"bad_time_zone\"}"] == 2)
        #expect(samples["tokenwatch_events_processed_total"] == 1)
        daemon.process.signal(SIGTERM)
        #expect(try daemon.process.waitForExit() == 0)
    }
}

extension HostileReviewEndToEndTests {
    /// A subscriber that connects and never reads (a `tail` suspended with Ctrl-Z) may lose its own alerts,
    /// never anyone else's: a fast subscriber beside it receives every one of 3 000.
    @Test func aStalledSubscriberCostsNoOtherSubscriberItsAlerts() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let config = try writeConfig(
            directory,
            replacing: [
                // Low, so that the stalled subscriber is full at once; at least three times the alerts of one
                // round below, which the daemon may detect as one batch and send together (see the batches).
                ("  send_high_water_mark: 10000", "  send_high_water_mark: 300"),
                ("  min_repeats: 8", "  min_repeats: 2"),
            ])
        let daemon = try DaemonUnderTest.start(configPath: config)
        let context = try ZMQContext()
        let stalled = try ZMQSocket(context: context, type: .sub)
        defer { stalled.close() }
        try stalled.setLinger(milliseconds: 0)
        try stalled.setReceiveHighWaterMark(1)
        try stalled.setReceiveBuffer(bytes: 4096)
        try stalled.subscribe("alert")
        try stalled.connect(daemon.alerts)
        // Fast: it reads all the time, and its library queues without limit, so only a stall could cost it.
        let fast = try TestSubscriber(context: context, connect: daemon.alerts) { try $0.setReceiveHighWaterMark(0) }
        try waitUntil("both subscriptions", timeout: .seconds(20)) {
            daemon.process.standardError.filter { $0.contains("alert subscriber joined") }.count >= 2
        }
        let publisher = try TestPublisher(context: context, connect: daemon.events)
        let count = 3000
        // In batches, each read by the fast subscriber before the next: the stalled one is full after the first
        // few alerts and stays so, while the fast one never has more than a batch in flight, so that a busy
        // machine (the test's own reader short of CPU) is not mistaken for a daemon that drops. A batch stays
        // within what libzmq guarantees a subscriber that has read everything: the sending socket learns what
        // was read only every half mark (150 here) and may act on it up to a millisecond late, so it can count
        // 149 alerts already read as still queued, and 250 more would then fill its 300 (a pyzmq loop with this
        // mark, its subscriber reading all the time, loses some of 3 000 in batches of 250, none in batches of
        // 100).
        let batchSize = 100
        var received = Set<String>()
        for batch in stride(from: 0, to: count, by: batchSize) {
            for user in batch..<min(batch + batchSize, count) {
                for minute in 0..<2 {
                    try publisher.publish(
                        tokenEvent(
                            "u\(user)", minute: minute, id: "u\(user)-\(minute)",
                            prompt: "the same request again from u\(user)"))
                }
            }
            while received.count < min(batch + batchSize, count) {
                let alert = try fast.next(timeout: .seconds(20))
                if let user = (alert.object["subject"] as? [String: String])?["user"] { received.insert(user) }
            }
        }
        #expect(received.count == count)
        daemon.process.signal(SIGTERM)
        #expect(try daemon.process.waitForExit() == 0)
    }
}

extension HostileReviewEndToEndTests {
    /// Idle connections to the metrics port must not exhaust the daemon's descriptors (which its journal,
    /// checkpoints and sockets need): at most 32 are kept, and those time out after 10 s of silence.
    @Test func idleMetricsConnectionsAreBoundedAndTimeOut() throws {
        let daemon = try DaemonUnderTest.start()
        let descriptors = "/proc/\(daemon.process.processIdentifier)/fd"
        func open() throws -> Int { try FileManager.default.contentsOfDirectory(atPath: descriptors).count }
        let baseline = try open()
        var idle: [Int32] = []
        defer { for descriptor in idle { close(descriptor) } }
        for _ in 0..<300 { idle.append(try tcpConnect(daemon.metrics)) }
        // Every connection is accepted (then kept or closed) within a moment; the count must stay bounded.
        var most = 0
        let watch = ContinuousClock.now + .seconds(2)
        while ContinuousClock.now < watch {
            most = max(most, try open())
            Thread.sleep(forTimeInterval: 0.05)
        }
        // 32 kept, plus those accepted and not yet closed (a handful, more on a loaded machine): far below the
        // 300 opened.
        #expect(most <= baseline + 64)
        try waitUntil("the idle connections to time out", timeout: .seconds(25)) { try open() <= baseline + 2 }
        #expect(try httpGet(daemon.metrics, "/healthz").status == 200)
        daemon.process.signal(SIGTERM)
        #expect(try daemon.process.waitForExit() == 0)
    }
}
