import CoreMetrics
import Foundation
import Logging
import Synchronization
import TokenWatchCore

@testable import TokenWatchForward

/// Log records kept in memory, so that a test can check what an operator would read.
final class CapturedLogs: Sendable {
    struct Record: Sendable {
        var level: Logger.Level
        var message: String
        var metadata: [String: String]
    }

    private let records = Mutex<[Record]>([])

    var all: [Record] { records.withLock { $0 } }

    func logger() -> Logger {
        Logger(label: "test") { _ in Handler(sink: self) }
    }

    fileprivate func append(_ record: Record) { records.withLock { $0.append(record) } }

    private struct Handler: LogHandler {
        let sink: CapturedLogs
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            let merged = metadata.merging(event.metadata ?? [:]) { $1 }
            sink.append(
                Record(
                    level: event.level, message: "\(event.message)", metadata: merged.mapValues { "\($0)" }))
        }
    }
}

/// A directory of its own under the temporary folder.
func scratchDirectory() throws -> URL {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tw-forward-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    return directory
}

/// Polls `condition` every 20 ms until it holds, for at most `timeout` worth of polls, without blocking the
/// task's thread. The deadline counts polls rather than reading the clock: while blocking tests beside these
/// hold every cooperative thread, neither the work awaited nor this loop runs, and a clock deadline would
/// expire on a wait that had not started.
func eventually(_ what: String, timeout: Duration, _ condition: () throws -> Bool) async throws {
    var polls = Int(timeout / .milliseconds(20))
    while try !condition() {
        guard polls > 0 else { throw TestTimeout(description: "timed out waiting for \(what)") }
        polls -= 1
        try await Task.sleep(for: .milliseconds(20))
    }
}

struct TestTimeout: Error, CustomStringConvertible {
    var description: String
}

/// Receiver settings for tests: quick retries, the given request deadline. Alerts age for an hour unless a
/// test is about their expiry: in the whole `swift test` on two cores a receiver's first attempt can come more
/// than a minute after its alerts were queued, and an expired alert is given up rather than asked for again.
func testReceiverSettings(
    timeout: Duration = .seconds(5), maxRetryAge: Duration = .seconds(3600), maxQueue: Int = 100
) -> (ForwardConfiguration, ReceiverSettings) {
    var configuration = ForwardConfiguration()
    configuration.timeout = timeout
    configuration.initialBackoff = .milliseconds(50)
    configuration.maxBackoff = .milliseconds(200)
    configuration.maxRetryAge = maxRetryAge
    configuration.maxQueue = maxQueue
    return (configuration, ReceiverSettings(configuration))
}

let testMetrics = ForwardMetrics(factory: NOOPMetricsHandler.instance, version: "test")

/// Runs a receiver's deliveries through a real ``RetryStage``, as `forward` does, until the task is cancelled.
func delivering(
    _ receiver: some ForwardReceiver, delivery: HTTPDelivery, settings: ReceiverSettings, deadLetters: DeadLetters,
    logs: CapturedLogs = CapturedLogs()
) -> Task<Void, Never> {
    let stage = RetryStage(
        delivery: delivery, settings: settings, metrics: testMetrics, deadLetters: deadLetters, logger: logs.logger())
    return Task { await stage.run(receiver) }
}
