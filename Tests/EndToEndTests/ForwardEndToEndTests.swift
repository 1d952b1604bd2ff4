import Foundation
import LoopbackHTTPServer
import Testing
import ZeroMQ

/// `tokenwatch forward`, the real binary, between real daemons and a webhook receiver on loopback.
@Suite("forward: the real binary", .serialized)
struct ForwardEndToEndTests {
    func repeats(_ user: String, _ publisher: TestPublisher, from minute: Int = 0) throws {
        for n in 0..<10 {
            try publisher.publish(
                tokenEvent(user, minute: minute + n, id: "\(user)-\(n)", prompt: "The very same request from \(user)"))
        }
    }

    func users(_ hook: LoopbackHTTPServer) -> [String?] {
        hook.requests.map {
            let object = try? JSONSerialization.jsonObject(with: Data($0.body)) as? [String: Any]
            return (object?["subject"] as? [String: Any])?["user"] as? String
        }
    }

    /// `forward`'s cursor is at seq 1 of one journal; the daemon comes back without its state directory and
    /// numbers its alerts from 0 again. The catch-up reply's epoch tells `forward` the journal is new: it resets
    /// its cursor, says so, and delivers the new journal's first alert.
    @Test func aDaemonRestartedWithAFreshJournalIsDeliveredFromItsFirstAlert() throws {
        let daemonState = try temporaryDirectory()
        let forwardState = try temporaryDirectory()
        defer {
            try? FileManager.default.removeItem(at: daemonState)
            try? FileManager.default.removeItem(at: forwardState)
        }
        let hook = try LoopbackHTTPServer { _ in .answer(status: 200) }
        defer { hook.close() }
        let ports = try freeEndpoints(4)
        let metrics = String(ports[2].dropFirst("tcp://".count))
        let context = try ZMQContext()
        let first = try DaemonUnderTest.start(
            events: ports[0], alerts: ports[1], metrics: metrics, catchup: ports[3],
            extraArguments: ["--state-dir", daemonState.path])
        let forward = try TokenWatchProcess([
            "forward", "--config", TokenWatchProcess.shippedConfig, "--connect", ports[1], "--catchup", ports[3],
            "--webhook", hook.url + "/hook", "--state-dir", forwardState.path, "--metrics", "",
        ])
        try first.process.waitForLog("alert subscriber joined")
        let publisher = try TestPublisher(context: context, connect: ports[0])
        try repeats("ann", publisher)
        try repeats("ben", publisher)
        try waitUntil("ann's and ben's alerts at the webhook", timeout: .seconds(20)) {
            Set(users(hook)) == ["ann", "ben"]
        }
        first.process.signal(SIGTERM)
        #expect(try first.process.waitForExit() == 0)

        let second = try DaemonUnderTest.start(
            events: ports[0], alerts: ports[1], metrics: metrics, catchup: ports[3])
        try second.process.waitForLog("alert subscriber joined")
        try repeats("cat", TestPublisher(context: context, connect: ports[0]), from: 20)
        try waitUntil("cat's alert, seq 0 of the new journal, at the webhook", timeout: .seconds(20)) {
            users(hook).contains("cat")
        }
        // As a set: on a loaded machine a response lost to the timeout sends an alert again, as the README says.
        #expect(Set(users(hook)) == ["ann", "ben", "cat"])
        #expect(users(hook).last == "cat")
        try forward.waitForLog("the daemon's journal is new")
        forward.signal(SIGTERM)
        #expect(try forward.waitForExit() == 0)
        second.process.signal(SIGTERM)
        #expect(try second.process.waitForExit() == 0)
    }

    /// A receiver URL given as a flag is held to the same rule as the file's: a metadata address is refused.
    @Test func aLinkLocalReceiverFlagIsRefused() throws {
        let state = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: state) }
        let forward = try TokenWatchProcess([
            "forward", "--config", TokenWatchProcess.shippedConfig, "--connect", try freeEndpoints(1)[0], "--catchup",
            "",
            "--alertmanager", "http://169.254.169.254:9093",
            "--state-dir", state.path, "--metrics", "",
        ])
        #expect(try forward.waitForExit() == 1)
        #expect(
            forward.standardError.contains {
                $0.contains("--alertmanager") && $0.contains("link-local or cloud metadata address")
            })
    }

    /// 32 random bytes, not text, are a webhook key like any other: `forward` starts and serves /healthz.
    @Test func aBinaryWebhookKeyIsAccepted() throws {
        let state = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: state) }
        let key = state.appendingPathComponent("webhook.key")
        try Data([0xFF, 0x00, 0x0A, 0x20] + (0..<28).map { UInt8(truncatingIfNeeded: $0 * 37 + 128) }).write(to: key)
        let ports = try freeEndpoints(2)
        let metrics = String(ports[1].dropFirst("tcp://".count))
        let forward = try TokenWatchProcess([
            "forward", "--config", TokenWatchProcess.shippedConfig, "--connect", ports[0], "--catchup", "",
            "--webhook", "http://127.0.0.1:9/hook",
            "--webhook-secret-file", key.path, "--state-dir", state.appendingPathComponent("forward").path,
            "--metrics", metrics,
        ])
        try waitUntil("forward's /healthz", timeout: .seconds(20)) {
            guard forward.isRunning else { throw ExitedEarly(status: -1, standardError: forward.standardError) }
            return (try? httpGet(metrics, "/healthz").status) == 200
        }
        forward.signal(SIGTERM)
        #expect(try forward.waitForExit() == 0)
    }
}
