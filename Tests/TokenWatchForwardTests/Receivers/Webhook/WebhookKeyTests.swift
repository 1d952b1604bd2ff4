import Foundation
import LoopbackHTTPServer
import Testing
import TokenWatchCore

@testable import TokenWatchForward

/// The webhook key is every byte of its file: what `echo s3cret-key > key` writes (the newline included), or
/// 32 random bytes that are not text. The expected signatures were computed with Python's `hmac` module.
@Suite struct WebhookKeyTests {
    static let randomKey: [UInt8] = [0x20, 0x00, 0xFF, 0xFE, 0x0A, 0x80, 0x41, 0x09] + Array(100..<124)
    static let body = #"{"id":"a1","incident":"i","detector":"d","state":"firing","ts":"2026-11-30T10:00:00.000Z"}"#

    func keyFile(_ bytes: [UInt8], in directory: URL) throws -> String {
        let file = directory.appendingPathComponent("key")
        try Data(bytes).write(to: file)
        return file.path
    }

    @Test func theKeyIsTheFileByteForByte() throws {
        let directory = try scratchDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        #expect(
            WebhookSignature.key(file: try keyFile(Array("s3cret-key\n".utf8), in: directory))
                == Array("s3cret-key\n".utf8))
        #expect(WebhookSignature.key(file: try keyFile(Self.randomKey, in: directory)) == Self.randomKey)
        #expect(WebhookSignature.key(file: try keyFile([], in: directory)) == nil)
        #expect(WebhookSignature.key(file: directory.appendingPathComponent("absent").path) == nil)
    }

    /// What a receiver gets: the body exactly as published, signed with HMAC-SHA256 under the file's bytes.
    @Test(arguments: [
        (Array("s3cret-key\n".utf8), "sha256=f1cfedb64ee7761c92a57443fa4284c5be8c10a92c5a48e2b83f2a3c10bff238"),
        (randomKey, "sha256=d3d79c0ffdc9e12643120b34e955a97fc3efb1fa67cd5a192d86e800d621e898"),
    ])
    func aDeliveryIsSignedWithTheFilesBytes(key: [UInt8], signature: String) async throws {
        let directory = try scratchDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let receiver = try LoopbackHTTPServer { _ in .answer(status: 204) }
        defer { receiver.close() }
        let queue = try WebhookQueue(directory: directory.appendingPathComponent("queue"))
        let alert = try #require(ForwardedAlert(seq: 0, topic: "alert.d.warning", payload: Self.body))
        try queue.stage(alert, order: 1)
        try queue.commit(alert, order: 1)
        let (_, settings) = testReceiverSettings()
        let delivery = HTTPDelivery(timeout: .seconds(30))
        let sink = WebhookReceiver(
            name: "webhook-0", url: receiver.url + "/hook",
            key: WebhookSignature.key(file: try keyFile(key, in: directory)), queue: queue)
        let loop = delivering(
            sink, delivery: delivery, settings: settings,
            deadLetters: try DeadLetters(directory: directory.appendingPathComponent("dead-letters"), limit: 10))
        try await eventually("the delivery", timeout: .seconds(60)) { !receiver.requests.isEmpty }
        loop.cancel()
        #expect(receiver.requests.first?.body == Array(Self.body.utf8))
        #expect(receiver.requests.first?.headers["x-tokenwatch-signature"] == signature)
        await delivery.shutdown()
    }
}
