import Foundation
import LoopbackHTTPServer
import Testing
import ZeroMQ

/// `tokenwatch forward`, the real binary, between real daemons and a webhook receiver on loopback.
@Suite("forward: the real binary", .serialized)
struct ForwardEndToEndTests {
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
