import Foundation
import LoopbackHTTPServer
import Testing
import TokenWatchCore

@testable import TokenWatchForward

/// `forward`'s webhook deliveries against real HTTP servers on loopback.
@Suite struct WebhookDeliveryTests {
    func queued(_ alerts: [ForwardedAlert], in directory: URL) throws -> WebhookQueue {
        let queue = try WebhookQueue(directory: directory)
        for (index, alert) in alerts.enumerated() {
            try queue.stage(alert, order: UInt64(index + 1))
            try queue.commit(alert, order: UInt64(index + 1))
        }
        return queue
    }

    func run(_ receiver: WebhookReceiver, delivery: HTTPDelivery, settings: ReceiverSettings) throws -> Task<
        Void, Never
    > {
        let letters = try DeadLetters(
            directory: receiver.queue.directory.appendingPathComponent("dead-letters"), limit: 10)
        return delivering(receiver, delivery: delivery, settings: settings, deadLetters: letters)
    }

    /// A receiver that sends its head and then nothing is one failed attempt, bounded by the request deadline:
    /// it is tried again, and a receiver beside it (sharing the HTTP client, as in `forward`) is not held up.
    @Test func aReceiverStallingAfterItsHeadIsRetriedAndOthersAreServed() async throws {
        let directory = try scratchDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let stalled = try LoopbackHTTPServer { _ in .stallAfterHead(contentLength: 100) }
        let healthy = try LoopbackHTTPServer { _ in .answer(status: 200) }
        defer {
            stalled.close()
            healthy.close()
        }
        let (_, settings) = testReceiverSettings(timeout: .seconds(1))
        let delivery = HTTPDelivery(timeout: .seconds(1))
        let first = WebhookReceiver(
            name: "webhook-0", url: stalled.url + "/hook", key: nil,
            queue: try queued([alert(seq: 0, id: "a1")], in: directory.appendingPathComponent("0")))
        let second = WebhookReceiver(
            name: "webhook-1", url: healthy.url + "/hook", key: nil,
            queue: try queued(
                [alert(seq: 0, id: "a1"), alert(seq: 1, id: "a2")], in: directory.appendingPathComponent("1")))
        let loops = [
            try run(first, delivery: delivery, settings: settings),
            try run(second, delivery: delivery, settings: settings),
        ]
        // Each stalled attempt ends after the 1 s deadline; three attempts take about 3 s plus the backoff. On a
        // loaded machine a healthy exchange may miss the deadline too and be sent again: the queue tells. In the
        // whole `swift test` on two cores, the CPU-bound suites beside it hold the concurrency pool for a minute
        // or more, during which no attempt is made: the deadline covers that, not the attempts.
        try await eventually("the stalled receiver asked three times, the other given both", timeout: .seconds(240)) {
            stalled.requests.count >= 3 && second.queue.pending().isEmpty
        }
        let ids = healthy.requests.compactMap { $0.headers["x-tokenwatch-alert-id"] }
        #expect(ids.first == "a1")
        #expect(Set(ids) == ["a1", "a2"])
        #expect(first.queue.pending().count == 1)
        for loop in loops { loop.cancel() }
        stalled.close()
        await delivery.shutdown()
    }

    /// A 301 would turn the POST into a GET elsewhere, and a 307 would send the signed body to another origin:
    /// neither is followed, and each is a failed attempt whose reason names the Location.
    @Test(arguments: [301, 307])
    func redirectsAreNotFollowed(status: Int) async throws {
        let elsewhere = try LoopbackHTTPServer { _ in .answer(status: 200) }
        let location = elsewhere.url + "/other"
        let redirecting = try LoopbackHTTPServer { _ in .answer(status: status, headers: [("Location", location)]) }
        defer {
            elsewhere.close()
            redirecting.close()
        }
        let delivery = HTTPDelivery(timeout: .seconds(30))
        let result = await delivery.post(redirecting.url + "/hook", body: Array("{}".utf8), headers: [])
        #expect(result == .retry("HTTP \(status) redirect to \(location), not followed"))
        #expect(redirecting.requests.count == 1)
        #expect(elsewhere.requests.isEmpty)
        await delivery.shutdown()
    }
}
