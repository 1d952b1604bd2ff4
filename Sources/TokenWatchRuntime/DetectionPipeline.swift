import Foundation
import Logging
import Synchronization
import TokenWatchCore
import ZeroMQ

/// The daemon's hot path on one dedicated thread: receive from the event socket, decode, detect, publish.
///
/// libzmq sockets are not thread-safe, and a hop per event between threads or actors costs more than the
/// detection itself, so one thread owns both sockets, the decoder and the engine. It blocks in a poll,
/// then drains up to ``batchLimit`` waiting messages without blocking and handles them as one batch;
/// statistics are published once per batch. Other threads talk to it only through `Mutex`-guarded state.
public final class DetectionPipeline: Sendable {
    public struct Settings: Sendable {
        public var configuration: TokenWatchConfiguration
        /// The most messages handled between two looks at the control state.
        public var batchLimit = 512
        /// How long a poll waits before the thread looks at the control state again.
        public var pollIntervalMilliseconds = 100

        public init(configuration: TokenWatchConfiguration) { self.configuration = configuration }
    }

    public let settings: Settings
    private let logger: Logger
    private let state = Mutex(SharedState())
    private let completion = Mutex(Completion.running(ready: nil, finished: []))

    public init(settings: Settings, logger: Logger) {
        self.settings = settings
        self.logger = logger
    }

    /// A copy of the statistics as of the last batch.
    public var statistics: PipelineStatistics { state.withLock { $0.statistics } }

    /// Starts the thread and returns once both sockets are bound; throws if either cannot be.
    public func start() async throws {
        try await withCheckedThrowingContinuation { (ready: CheckedContinuation<Void, any Error>) in
            completion.withLock { $0 = .running(ready: ready, finished: []) }
            let thread = Thread { [self] in
                let result = Result { try self.runLoop() }
                self.finish(result)
            }
            thread.name = "tokenwatch-ingest"
            thread.start()
        }
    }

    /// Asks the thread to stop: it stops receiving, handles what it already took, publishes the alerts,
    /// closes the sockets and ends.
    public func requestStop() {
        state.withLock { $0.stopRequested = true }
    }

    /// Waits for the thread to end; rethrows the error that ended it, if any.
    public func waitUntilFinished() async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            let result: Result<Void, any Error>? = completion.withLock {
                switch $0 {
                case .running(let ready, var finished):
                    finished.append(continuation)
                    $0 = .running(ready: ready, finished: finished)
                    return nil
                case .done(let result):
                    return result
                }
            }
            if let result { continuation.resume(with: result) }
        }
    }

    // MARK: The thread

    private func markReady() {
        let ready = completion.withLock { state -> CheckedContinuation<Void, any Error>? in
            guard case .running(let ready, let finished) = state else { return nil }
            state = .running(ready: nil, finished: finished)
            return ready
        }
        ready?.resume()
    }

    private func finish(_ result: Result<Void, any Error>) {
        let (ready, finished) = completion.withLock { state -> (CheckedContinuation<Void, any Error>?, [CheckedContinuation<Void, any Error>]) in
            guard case .running(let ready, let finished) = state else { return (nil, []) }
            state = .done(result)
            return (ready, finished)
        }
        // A thread that failed before binding reports the failure to `start()`.
        ready?.resume(with: result)
        for waiter in finished { waiter.resume(with: result) }
    }

    private func runLoop() throws {
        let configuration = settings.configuration
        let context = try ZMQContext()
        let events = try ZMQSocket(context: context, type: .sub)
        try events.setReceiveHighWaterMark(configuration.events.receiveHighWaterMark)
        // Payloads over the limit are counted as too_large; only frames far beyond it make libzmq drop the peer.
        try events.setMaxMessageSize(Int64(configuration.events.limits.maxPayloadBytes) * 4)
        try events.setLinger(milliseconds: 0)
        try events.subscribe(configuration.events.topic)
        try events.bind(configuration.events.endpoint)
        let publisher = try AlertPublisher(
            context: context, endpoint: configuration.alerts.endpoint,
            sendHighWaterMark: configuration.alerts.sendHighWaterMark)
        defer {
            events.close()
            publisher.close()
        }
        logger.info(
            "sockets bound",
            metadata: ["events": "\((try? events.lastEndpoint) ?? "?")", "alerts": "\(publisher.boundEndpoint)",
                       "topic": "\(configuration.events.topic)"])
        markReady()

        var batch = Batch(configuration: configuration, logger: logger)
        while !state.withLock({ $0.stopRequested }) {
            if try events.waitReadable(timeoutMilliseconds: settings.pollIntervalMilliseconds) {
                try batch.receive(from: events, limit: settings.batchLimit)
            }
            try finishBatch(&batch, publisher)
        }
        // Graceful stop: handle every message libzmq already holds, then publish what it caused.
        while try batch.receive(from: events, limit: settings.batchLimit) > 0 {
            try finishBatch(&batch, publisher)
        }
        try finishBatch(&batch, publisher)
        logger.info("ingest stopped", metadata: ["events": "\(batch.totals.eventsReceived)"])
    }

    private func finishBatch(_ batch: inout Batch, _ publisher: AlertPublisher) throws {
        for change in try publisher.drainSubscriptions() {
            logger.info(change.subscribed ? "alert subscriber joined" : "alert subscriber left",
                        metadata: ["prefix": "\(change.prefix)"])
        }
        for alert in batch.alerts {
            if try publisher.publish(alert) {
                batch.totals.alertsPublished[alert.topic, default: 0] += 1
                logger.notice(
                    "alert", metadata: ["topic": "\(alert.topic)", "id": "\(alert.id)", "seq": "\(alert.seq)"])
            } else {
                batch.totals.alertsDropped += 1
                logger.warning("alert dropped at the high-water mark", metadata: ["topic": "\(alert.topic)", "id": "\(alert.id)"])
            }
        }
        batch.alerts.removeAll(keepingCapacity: true)
        batch.totals.alertSubscriptions = publisher.subscriptions.values.reduce(0, +)
        batch.totals.trackedSubjects = batch.engine.trackedSubjects
        batch.totals.openIncidents = batch.engine.openIncidents
        batch.totals.watermark = batch.engine.watermark
        let totals = batch.totals
        state.withLock { $0.statistics = totals }
    }
}

private struct SharedState: Sendable {
    var stopRequested = false
    var statistics = PipelineStatistics()
}

private enum Completion {
    case running(ready: CheckedContinuation<Void, any Error>?, finished: [CheckedContinuation<Void, any Error>])
    case done(Result<Void, any Error>)
}

/// The thread's working set: decoder, engine, reusable frames and the running totals.
private struct Batch {
    let decoder: EventDecoder
    var engine: DetectionEngine
    var alerts: [Alert] = []
    var totals = PipelineStatistics()
    let topic = ZMQMessage()
    let payload = ZMQMessage()
    let extra = ZMQMessage()
    var rejectionLog: RejectionLog

    init(configuration: TokenWatchConfiguration, logger: Logger) {
        decoder = EventDecoder(limits: configuration.events.limits)
        engine = DetectionEngine(configuration: configuration)
        rejectionLog = RejectionLog(logger: logger)
    }

    /// Takes up to `limit` waiting messages without blocking; returns how many.
    @discardableResult
    mutating func receive(from socket: ZMQSocket, limit: Int) throws -> Int {
        var count = 0
        while count < limit, try socket.receive(into: topic, dontWait: true) {
            count += 1
            totals.eventsReceived += 1
            var frames = 1
            if socket.hasMoreFrames {
                _ = try socket.receive(into: payload)
                frames += 1
                while socket.hasMoreFrames {
                    _ = try socket.receive(into: extra)
                    frames += 1
                }
            }
            guard frames == 2 else {
                reject(EventRejection(.wrongFrameCount, field: nil))
                continue
            }
            switch payload.withUnsafeBytes({ decoder.decode($0) }) {
            case .success(let event):
                engine.process(event, into: &alerts)
                totals.eventsProcessed += 1
            case .failure(let rejection):
                reject(rejection)
            }
        }
        return count
    }

    private mutating func reject(_ rejection: EventRejection) {
        totals.eventsRejected[rejection.reason, default: 0] += 1
        rejectionLog.record(rejection)
    }
}

/// Logs rejected events at most once per reason every ten seconds, with the count in between: a flood of
/// bad input must not become a flood of log lines. Never logs payload text.
private struct RejectionLog {
    let logger: Logger
    var lastLogged: [RejectionReason: ContinuousClock.Instant] = [:]
    var unlogged: [RejectionReason: Int] = [:]
    static let interval: Duration = .seconds(10)

    init(logger: Logger) { self.logger = logger }

    mutating func record(_ rejection: EventRejection) {
        let now = ContinuousClock.now
        if let last = lastLogged[rejection.reason], now - last < Self.interval {
            unlogged[rejection.reason, default: 0] += 1
            return
        }
        lastLogged[rejection.reason] = now
        let skipped = unlogged.removeValue(forKey: rejection.reason) ?? 0
        logger.warning(
            "event rejected",
            metadata: ["reason": "\(rejection.reason.rawValue)", "field": "\(rejection.field ?? "-")",
                       "similar_since_last_log": "\(skipped)"])
    }
}
