import Foundation
import Synchronization
import Testing
import TokenWatchCore

@testable import TokenWatchForward

/// A receiver whose attempts come out as scripted: what the shared stage does with each result, without HTTP.
final class ScriptedReceiver: ForwardReceiver {
    enum Step: Sendable {
        case result(NotifyResult)
        /// Gives a delivery up through the channel, as a receiver does on a 4xx.
        case giveUp(id: String)
    }

    /// No keys: it is never configured from a file.
    struct Section: ForwardReceiverSection {
        static let keys: [String] = []
        mutating func read(_ section: inout ConfigurationSection, in forward: ForwardConfiguration) {}
        var yamlLines: [String] { [] }
    }

    static func configured(_ section: Section, setup: ReceiverSetup) throws(ReceiverSetupError) -> [any ForwardReceiver]
    {
        []
    }

    let name = "scripted-0"
    private let script: Mutex<[Step]>
    private let made = Atomic<Int>(0)

    init(_ steps: [Step]) {
        script = Mutex(steps)
    }

    /// Attempts made so far; once the script is done, each further attempt finds nothing due.
    var attempts: Int { made.load(ordering: .relaxed) }

    func stage(_ alert: ForwardedAlert, order: UInt64) throws {}

    func notify(_ channel: ReceiverChannel) async -> NotifyResult {
        made.add(1, ordering: .relaxed)
        switch script.withLock({ $0.isEmpty ? nil : $0.removeFirst() }) {
        case nil: return .idle
        case .result(let result)?: return result
        case .giveUp(let id)?:
            channel.giveUp(
                "scripted delivery", id: id, reason: "refused", detail: "HTTP 410", body: Array(#"{"id":"a1"}"#.utf8))
            return .gaveUp
        }
    }
}

@Suite struct RetryStageTests {
    func stage(_ directory: URL, logs: CapturedLogs) throws -> (RetryStage, DeadLetters, HTTPDelivery) {
        let letters = try DeadLetters(directory: directory.appendingPathComponent("dead-letters"), limit: 10)
        let delivery = HTTPDelivery(timeout: .seconds(5))
        let stage = RetryStage(
            delivery: delivery, settings: testReceiverSettings().1, metrics: testMetrics, deadLetters: letters,
            logger: logs.logger())
        return (stage, letters, delivery)
    }

    @Test func backoffDoublesUpToItsLimit() {
        var backoff = Backoff(initial: .seconds(1), maximum: .seconds(5))
        #expect(
            [backoff.failed(), backoff.failed(), backoff.failed(), backoff.failed()] == [
                .seconds(1), .seconds(2), .seconds(4), .seconds(5),
            ])
        backoff.succeeded()
        #expect(backoff.failed() == .seconds(1))
    }

    /// The waits double from `initial_backoff` (50 ms in tests) up to `max_backoff` (200 ms); a delivery
    /// starts them again from the first.
    @Test func retriesBackOffAndADeliveryStartsAgain() async throws {
        let directory = try scratchDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let logs = CapturedLogs()
        let (stage, _, delivery) = try stage(directory, logs: logs)
        let retry = NotifyResult.retry(message: "scripted delivery failed", metadata: ["id": "a1"])
        let receiver = ScriptedReceiver([
            .result(retry), .result(retry), .result(retry), .result(retry), .result(.delivered), .result(retry),
        ])
        let loop = Task { await stage.run(receiver) }
        try await eventually("the script played", timeout: .seconds(30)) { receiver.attempts > 6 }
        loop.cancel()
        await delivery.shutdown()
        let retries = logs.all.filter { $0.message == "scripted delivery failed" }
        #expect(
            retries.map { $0.metadata["retry_in"] } == [
                "0.05 seconds", "0.1 seconds", "0.2 seconds", "0.2 seconds", "0.05 seconds",
            ])
        #expect(retries.allSatisfy { $0.metadata["receiver"] == "scripted-0" && $0.metadata["id"] == "a1" })
    }

    /// What a receiver gives up is kept with its receiver, id and reason, logged, and not retried.
    @Test func aDeliveryGivenUpIsKeptAndLogged() async throws {
        let directory = try scratchDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let logs = CapturedLogs()
        let (stage, letters, delivery) = try stage(directory, logs: logs)
        let receiver = ScriptedReceiver([.giveUp(id: "a1")])
        let loop = Task { await stage.run(receiver) }
        try await eventually("the script played", timeout: .seconds(30)) { receiver.attempts > 1 }
        loop.cancel()
        await delivery.shutdown()
        let files = letters.files()
        #expect(files.count == 1)
        let file = try #require(files.first)
        let letter = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: file)) as? [String: Any])
        #expect(letter["receiver"] as? String == "scripted-0")
        #expect(letter["id"] as? String == "a1")
        #expect(letter["reason"] as? String == "refused")
        #expect(letter["detail"] as? String == "HTTP 410")
        #expect((letter["body"] as? [String: Any])?["id"] as? String == "a1")
        let logged = logs.all.filter { $0.message == "scripted delivery dead-lettered" }
        #expect(logged.map { $0.metadata["id"] } == ["a1"])
        #expect(logs.all.allSatisfy { !$0.message.contains("retry") })
    }

    /// The receivers the configuration asks for, kind after kind in the registry's order, each named by its
    /// kind and position.
    @Test func theRegistryMakesEveryConfiguredReceiverInOrder() throws {
        let directory = try scratchDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        var configuration = ForwardConfiguration()
        configuration.receivers[AlertmanagerConfiguration.self].urls = ["http://127.0.0.1:9093"]
        configuration.receivers[WebhookConfiguration.self].webhooks = [
            .init(url: "http://127.0.0.1:1/a"), .init(url: "http://127.0.0.1:1/b"),
        ]
        let setup = ReceiverSetup(configuration: configuration, store: try ForwardStore(directory: directory.path))
        #expect(try ForwardReceivers.configured(setup).map(\.name) == ["webhook-0", "webhook-1", "alertmanager-0"])
        let absent = directory.appendingPathComponent("absent").path
        configuration.receivers[WebhookConfiguration.self].webhooks[1].secretFile = absent
        let broken = ReceiverSetup(configuration: configuration, store: setup.store)
        #expect {
            _ = try ForwardReceivers.configured(broken)
        } throws: { error in
            "\(error)" == "cannot read a key from \(absent) "
                + "(forward.webhooks[1].secret_file): missing, unreadable or empty"
        }
    }
}
