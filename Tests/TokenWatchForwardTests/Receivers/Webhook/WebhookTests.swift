import Foundation
import Testing
import TokenWatchCore

@testable import TokenWatchForward

@Suite struct WebhookTests {
    /// RFC 4231, test case 2.
    @Test func theSignatureIsHMACSHA256() {
        let value = WebhookSignature.value(
            body: Array("what do ya want for nothing?".utf8), key: Array("Jefe".utf8))
        #expect(value == "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
    }

    /// A crash between staging and the cursor: what the cursor records is queued, the rest dropped (the
    /// catch-up socket gives it again).
    @Test func recoveryQueuesOnlyWhatTheCursorRecords() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tw-queue-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let queue = try WebhookQueue(directory: directory)
        try queue.stage(alert(seq: 0, id: "kept"), order: 1)
        try queue.stage(alert(seq: 1, id: "again"), order: 2)
        queue.recover(handled: ["kept"])
        #expect(queue.pending().map { WebhookQueue.alertID(of: $0) } == ["kept"])
        let incoming = try FileManager.default.contentsOfDirectory(
            atPath: directory.appendingPathComponent("incoming").path)
        #expect(incoming.isEmpty)
    }
}
