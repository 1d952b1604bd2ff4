import Foundation
import Testing
import ZeroMQ

@Suite("Alert delivery: journal, catch-up, replicas", .serialized)
struct DeliveryEndToEndTests {
    func repeats(_ user: String, _ publisher: TestPublisher, from minute: Int = 0) throws {
        for n in 0..<10 {
            try publisher.publish(
                tokenEvent(user, minute: minute + n, id: "\(user)-\(n)", prompt: "The very same request from \(user)"))
        }
    }

    @Test func aConsumerAwayDuringARestartRecoversEveryAlertOnce() throws {
        let state = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: state) }
        let ports = try freeEndpoints(4)
        let metrics = String(ports[2].dropFirst("tcp://".count))
        let context = try ZMQContext()

        let first = try DaemonUnderTest.start(
            events: ports[0], alerts: ports[1], metrics: metrics, catchup: ports[3],
            extraArguments: ["--state-dir", state.path])
        let tail = try TokenWatchProcess(["tail", "--connect", ports[1], "--catchup", ports[3], "--json"])
        try first.process.waitForLog("alert subscriber joined")
        try repeats("ann", TestPublisher(context: context, connect: ports[0]))
        try waitUntil("tail prints the first alert", timeout: .seconds(20)) {
            tail.standardOutput.split(separator: "\n").count == 1
        }
        first.process.signal(SIGTERM)
        #expect(try first.process.waitForExit() == 0)

        // While the daemon restarts, the tail is away: this alert is published before its subscription returns.
        let second = try DaemonUnderTest.start(
            events: ports[0], alerts: ports[1], metrics: metrics, catchup: ports[3],
            extraArguments: ["--state-dir", state.path])
        #expect(second.process.standardError.contains { $0.contains("journal recovered") && $0.contains("next_seq=1") })
        let publisher = try TestPublisher(context: context, connect: ports[0])
        try repeats("ben", publisher)
        try second.process.waitForLog("alert subscriber joined")
        try repeats("cat", publisher, from: 20)

        // cat's events (minutes 20–29) move event time past 9 + 15 min: ann's and ben's incidents resolve first.
        try waitUntil("tail prints all five alerts", timeout: .seconds(20)) {
            tail.standardOutput.split(separator: "\n").count >= 5
        }
        tail.signal(SIGTERM)
        _ = try tail.waitForExit()
        let printed = tail.standardOutput.split(separator: "\n").map {
            try! JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any]
        }
        #expect(printed.map { $0["seq"] as? Int } == [0, 1, 2, 3, 4])
        #expect(printed.map { ($0["subject"] as? [String: String])?["user"] } == ["ann", "ben", "ann", "ben", "cat"])
        #expect(printed.map { $0["state"] as? String } == ["firing", "firing", "resolved", "resolved", "firing"])

        second.process.signal(SIGTERM)
        #expect(try second.process.waitForExit() == 0)
        // The journal holds the five, with contiguous seq, and exactly the payloads the tail printed.
        let journal = state.appendingPathComponent("journal")
        let lines = try FileManager.default.contentsOfDirectory(atPath: journal.path).sorted()
            .flatMap {
                try String(contentsOf: journal.appendingPathComponent($0), encoding: .utf8).split(separator: "\n")
            }
        let entries = lines.map { try! JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
        #expect(entries.map { $0["seq"] as? Int } == [0, 1, 2, 3, 4])
        // Counted per topic: warning 0, 1, resolved 0, 1, warning 2.
        #expect(entries.map { $0["topic_seq"] as? Int } == [0, 1, 0, 1, 2])
        let printedIDs = printed.map { $0["id"] as? String }
        #expect(entries.map { ($0["alert"] as? [String: Any])?["id"] as? String } == printedIDs)
    }

    @Test func tailSincePrintsTheRetainedAlertsThenFollows() throws {
        let daemon = try DaemonUnderTest.start()
        let context = try ZMQContext()
        let publisher = try TestPublisher(context: context, connect: daemon.events)
        // dan fires (seq 0) and resolves when eve's events pass minute 24 (seq 1); eve fires (seq 2).
        try repeats("dan", publisher)
        try repeats("eve", publisher, from: 30)
        try waitUntil("three alerts published", timeout: .seconds(20)) {
            (try? parsePrometheus(httpGet(daemon.metrics, "/metrics").body))?
                .filter { $0.key.hasPrefix("tokenwatch_alerts_published_total") }.values.reduce(0, +) == 3
        }
        let tail = try TokenWatchProcess([
            "tail", "--connect", daemon.alerts, "--catchup", daemon.catchup, "--since", "2", "--json", "--count", "3",
        ])
        try daemon.process.waitForLog("alert subscriber joined")
        try repeats("fay", publisher, from: 60)
        #expect(try tail.waitForExit() == 0)
        let printed = tail.standardOutput.split(separator: "\n").map {
            try! JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any]
        }
        // Before --since 2: dan's two. From the journal: eve firing (2). Live: eve resolved (3), fay firing (4).
        #expect(printed.map { $0["seq"] as? Int } == [2, 3, 4])
        #expect(printed.map { ($0["subject"] as? [String: String])?["user"] } == ["eve", "eve", "fay"])
        daemon.process.signal(SIGTERM)
        #expect(try daemon.process.waitForExit() == 0)
    }

    @Test func twoReplicasFedTheSameStreamPublishTheSameAlertIDs() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("events.jsonl").path
        let generate = try TokenWatchProcess([
            "generate", "--output", file, "--people", "20", "--days", "2", "--seed", "9",
        ])
        #expect(try generate.waitForExit(timeout: .seconds(60)) == 0)

        let a = try DaemonUnderTest.start()
        let b = try DaemonUnderTest.start()
        let context = try ZMQContext()
        let fromA = try TestSubscriber(context: context, connect: a.alerts)
        let fromB = try TestSubscriber(context: context, connect: b.alerts)
        try a.process.waitForLog("alert subscriber joined")
        try b.process.waitForLog("alert subscriber joined")
        // One publisher connected to both replicas, as a gateway fanning out would be.
        let publisher = try TestPublisher(context: context, connect: a.events)
        try publisher.socket.connect(b.events)
        guard try publisher.socket.waitReadable(timeoutMilliseconds: 20_000),
            try publisher.socket.receiveMultipart() != nil
        else {
            throw TimedOut(description: "the second replica did not subscribe")
        }
        let lines = try String(contentsOfFile: file, encoding: .utf8).split(separator: "\n")
        for line in lines { try publisher.publish(String(line)) }

        try waitUntil("both replicas have handled every event", timeout: .seconds(60)) {
            let counts = [a, b].map {
                (try? parsePrometheus(httpGet($0.metrics, "/metrics").body))?["tokenwatch_events_processed_total"]
            }
            return counts.allSatisfy { $0 == Double(lines.count) }
        }
        let published = try parsePrometheus(httpGet(a.metrics, "/metrics").body)
            .filter { $0.key.hasPrefix("tokenwatch_alerts_published_total") }.values.reduce(0, +)
        #expect(published > 0)
        var idsA: [String] = []
        var idsB: [String] = []
        for _ in 0..<Int(published) {
            idsA.append(try fromA.next().object["id"] as! String)
            idsB.append(try fromB.next().object["id"] as! String)
        }
        #expect(idsA == idsB)
        #expect(Set(idsA).count == idsA.count)
        for daemon in [a, b] {
            daemon.process.signal(SIGTERM)
            #expect(try daemon.process.waitForExit() == 0)
        }
    }
}
