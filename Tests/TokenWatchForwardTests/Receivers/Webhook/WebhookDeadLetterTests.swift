import Foundation
import LoopbackHTTPServer
import Testing
import TokenWatchCore

@testable import TokenWatchForward

/// A delivery given up is kept in `dead-letters/` of the state directory, with its reason, and logged with the
/// alert id; the folder keeps the newest `max_dead_letters`.
@Suite struct DeadLetterTests {
    struct Kept: Decodable, Equatable {
        var receiver: String
        var id: String
        var reason: String
        var detail: String
    }

    static func kept(_ letters: DeadLetters) throws -> [Kept] {
        try letters.files().map { try JSONDecoder().decode(Kept.self, from: Data(contentsOf: $0)) }
    }

    static func body(of file: URL) throws -> [String: Any]? {
        let object = try JSONSerialization.jsonObject(with: Data(contentsOf: file)) as? [String: Any]
        return object?["body"] as? [String: Any]
    }

    func run(
        _ alerts: [ForwardedAlert], to server: LoopbackHTTPServer, letters: DeadLetters, settings: ReceiverSettings,
        logs: CapturedLogs, directory: URL, until condition: @escaping () throws -> Bool
    ) async throws {
        let queue = try WebhookQueue(directory: directory.appendingPathComponent("queue"))
        for (index, alert) in alerts.enumerated() {
            try queue.stage(alert, order: UInt64(index + 1))
            try queue.commit(alert, order: UInt64(index + 1))
        }
        let delivery = HTTPDelivery(timeout: .seconds(30))
        let sink = WebhookReceiver(name: "webhook-0", url: server.url + "/hook", key: nil, queue: queue)
        let loop = delivering(sink, delivery: delivery, settings: settings, deadLetters: letters, logs: logs)
        try await eventually("the deliveries settled", timeout: .seconds(60), condition)
        loop.cancel()
        await delivery.shutdown()
    }

    @Test func aRefusedDeliveryIsKeptWithItsReasonAndLoggedWithItsID() async throws {
        let directory = try scratchDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let server = try LoopbackHTTPServer { request in
            .answer(status: request.headers["x-tokenwatch-alert-id"] == "a1" ? 410 : 200)
        }
        defer { server.close() }
        let letters = try DeadLetters(directory: directory.appendingPathComponent("dead-letters"), limit: 10)
        let logs = CapturedLogs()
        try await run(
            [alert(seq: 0, id: "a1"), alert(seq: 1, id: "a2")], to: server, letters: letters,
            settings: testReceiverSettings().1, logs: logs, directory: directory
        ) { letters.files().count == 1 && server.requests.contains { $0.headers["x-tokenwatch-alert-id"] == "a2" } }
        #expect(
            try Self.kept(letters) == [Kept(receiver: "webhook-0", id: "a1", reason: "refused", detail: "HTTP 410")])
        #expect(try Self.body(of: #require(letters.files().first))?["id"] as? String == "a1")
        #expect(
            logs.all.contains {
                $0.message.contains("dead-lettered") && $0.metadata["id"] == "a1" && $0.metadata["reason"] == "refused"
            })
    }

    /// A full queue pushes its oldest out (overflow), the rest expire; the folder keeps the newest two.
    @Test func overflowAndExpiryAreKeptAndLoggedWithinTheLimit() async throws {
        let directory = try scratchDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let server = try LoopbackHTTPServer { _ in .answer(status: 503) }
        defer { server.close() }
        let letters = try DeadLetters(directory: directory.appendingPathComponent("dead-letters"), limit: 2)
        let logs = CapturedLogs()
        let settings = testReceiverSettings(maxRetryAge: .milliseconds(300), maxQueue: 2).1
        try await run(
            [alert(seq: 0, id: "a1"), alert(seq: 1, id: "a2"), alert(seq: 2, id: "a3")], to: server,
            letters: letters, settings: settings, logs: logs, directory: directory
        ) { logs.all.filter { $0.message.contains("dead-lettered") }.count == 3 }
        let given = logs.all.filter { $0.message.contains("dead-lettered") }.map {
            [$0.metadata["id"], $0.metadata["reason"]]
        }
        #expect(given == [["a1", "overflow"], ["a2", "expired"], ["a3", "expired"]])
        #expect(try Self.kept(letters).map(\.id) == ["a2", "a3"])
        #expect(try Self.kept(letters).map(\.reason) == ["expired", "expired"])
    }
}
