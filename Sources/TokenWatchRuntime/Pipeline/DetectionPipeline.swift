import Foundation
import Logging
import Synchronization
import TokenWatchCore
import ZeroMQ

/// The daemon's hot path on two dedicated threads: one receives from the event socket and decodes
/// (``DecodeStage``), the other detects and publishes.
///
/// libzmq sockets are not thread-safe, and a hop per event between threads or actors costs more than the
/// detection itself, so each thread owns its sockets, and events cross from one to the other in batches of
/// up to ``Settings/batchLimit``. The detection thread owns the engine, the alert and catch-up sockets and
/// the journal; it blocks in one poll over them and the decode stage's wake-up socket, then handles every
/// batch queued. Other threads reach it only through a `Mutex`-guarded inbox (stop, reload, operational
/// alerts), read between batches, and read its statistics, published once per batch.
public final class DetectionPipeline: Sendable {
    public struct Settings: Sendable {
        public var configuration: TokenWatchConfiguration
        /// Where state is checkpointed and restored from; `nil` keeps no state across restarts.
        public var checkpoints: CheckpointStore?
        /// The state directory, for the alert journal; `nil` keeps the journal in memory only.
        public var stateDirectory: String?
        /// The most messages the decode thread hands over at once. Small, so that an alert waits for little
        /// else: a batch of 64 is detected in about 0.3 ms here. (Eight batches wait at most.)
        public var batchLimit = 64
        /// How long a poll waits before the thread looks at the inbox again.
        public var pollIntervalMilliseconds = 100

        public init(configuration: TokenWatchConfiguration, stateDirectory: String? = nil) {
            self.configuration = configuration
            self.stateDirectory = stateDirectory
            checkpoints = stateDirectory.map { CheckpointStore(directory: $0) }
        }
    }

    public let settings: Settings
    private let logger: Logger
    private let metrics: PipelineMetrics?
    private let shared = Mutex(SharedState())
    private let completion = Mutex(Completion.running(ready: nil, finished: []))

    public init(settings: Settings, logger: Logger, metrics: PipelineMetrics? = nil) {
        self.settings = settings
        self.logger = logger
        self.metrics = metrics
    }

    /// A copy of the statistics as of the last batch.
    public var statistics: PipelineStatistics { shared.withLock { $0.statistics } }

    /// When the thread last went round its loop: a stuck pipeline stops the watchdog and fails `/healthz`.
    public var lastHeartbeat: ContinuousClock.Instant? { shared.withLock { $0.heartbeat } }

    /// Starts the thread and returns once state is restored and both sockets are bound; throws if either
    /// socket cannot be bound.
    public func start() async throws {
        try await withCheckedThrowingContinuation { (ready: CheckedContinuation<Void, any Error>) in
            completion.withLock { $0 = .running(ready: ready, finished: []) }
            let thread = Thread { [self] in
                nameCurrentThread("tw-ingest")
                let result = Result { try self.runLoop() }
                self.finish(result)
            }
            thread.start()
        }
    }

    /// Asks the thread to stop: it stops receiving, handles what libzmq already holds, publishes the alerts,
    /// writes a final checkpoint, closes the sockets and ends.
    public func requestStop() {
        shared.withLock { $0.stopRequested = true }
    }

    /// Hands a validated configuration to the thread, which applies it between two batches, keeping every
    /// window and baseline. Returns once applied (at once if the pipeline has ended).
    public func apply(_ configuration: TokenWatchConfiguration) async {
        await withCheckedContinuation { (applied: CheckedContinuation<Void, Never>) in
            let accepted = shared.withLock { state -> Bool in
                guard !state.finished else { return false }
                state.pendingConfigurations.append((configuration, applied))
                return true
            }
            if !accepted { applied.resume() }
        }
    }

    /// Queues an alert about the daemon itself (a failed reload) for publication with the next batch.
    public func publish(_ alert: OperationalAlert) {
        shared.withLock { $0.operationalAlerts.append(alert) }
    }

    /// Records the outcome of a reload in the statistics and metrics.
    public func recordReload(succeeded: Bool) {
        shared.withLock {
            if succeeded { $0.reloadsSucceeded += 1 } else { $0.reloadsFailed += 1 }
        }
        metrics?.recordReload(succeeded: succeeded)
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
        let pending = shared.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.finished = true
            defer { state.pendingConfigurations.removeAll() }
            return state.pendingConfigurations.map(\.1)
        }
        for waiter in pending { waiter.resume() }
        let (ready, finished) = completion.withLock { state -> (CheckedContinuation<Void, any Error>?, [CheckedContinuation<Void, any Error>]) in
            guard case .running(let ready, let finished) = state else { return (nil, []) }
            state = .done(result)
            return (ready, finished)
        }
        // A thread that failed before binding reports the failure to `start()`.
        ready?.resume(with: result)
        for waiter in finished { waiter.resume(with: result) }
    }

    private func restoredEngine() -> DetectionEngine {
        let configuration = settings.configuration
        guard let store = settings.checkpoints else { return DetectionEngine(configuration: configuration) }
        switch store.load() {
        case .none:
            logger.info("no checkpoint yet; starting fresh", metadata: ["path": "\(store.file.path)"])
        case .restored(let state, let savedAt):
            let engine = DetectionEngine(restoring: state, configuration: configuration)
            logger.info(
                "state restored",
                metadata: ["path": "\(store.file.path)", "saved_at": "\(savedAt)", "events": "\(engine.eventsProcessed)",
                           "open_incidents": "\(engine.openIncidents)", "next_seq": "\(engine.nextSequence)"])
            return engine
        case .setAside(let reason, let movedTo):
            logger.error("checkpoint set aside; starting fresh", metadata: ["reason": "\(reason)", "moved_to": "\(movedTo)"])
        }
        return DetectionEngine(configuration: configuration)
    }

    private func runLoop() throws {
        let configuration = settings.configuration
        let decodeStage = DecodeStage(limits: configuration.events.limits)
        var batch = Batch(decodeStage: decodeStage, engine: restoredEngine(), logger: logger)
        let journal = try AlertJournal(directory: settings.stateDirectory, configuration: configuration.journal, logger: logger)
        defer { journal.close() }
        batch.engine.advanceSequence(atLeast: journal.nextSeq)

        let context = try ZMQContext()
        let security = configuration.security
        // With CURVE, the ZAP handler must be listening before any server socket accepts a peer.
        let zap = security.curve ? try ZAPHandler(context: context, allowedKeys: security.resolvedClientKeys) : nil
        defer { zap?.close() }
        // Sendable: the event socket is made with it on the decode thread.
        let secure: @Sendable (ZMQSocket) throws -> Void = { socket in
            if security.curve { try socket.makeCurveServer(secretKey: security.serverSecretKey, domain: "tokenwatch") }
        }
        let wake = try ZMQSocket(context: context, type: .pair)
        try wake.setLinger(milliseconds: 0)
        try wake.bind(decodeStage.wakeEndpoint)
        defer { wake.close() }
        let eventsEndpoint = try decodeStage.start(
            context: context, batchLimit: settings.batchLimit, pollIntervalMilliseconds: settings.pollIntervalMilliseconds
        ) {
            let events = try ZMQSocket(context: context, type: .sub)
            do {
                try secure(events)
                try events.setReceiveHighWaterMark(configuration.events.receiveHighWaterMark)
                // Payloads over the limit are counted as too_large; only frames far beyond it make libzmq drop the peer.
                try events.setMaxMessageSize(Int64(configuration.events.limits.maxPayloadBytes) * 4)
                try events.setLinger(milliseconds: 0)
                try events.subscribe(configuration.events.topic)
                try events.bind(configuration.events.endpoint)
            } catch {
                events.close()
                throw error
            }
            return events
        }
        // However this thread ends, the decode thread ends first and closes the event socket.
        defer { decodeStage.stopAndWait() }
        let publisher = try AlertPublisher(
            context: context, endpoint: configuration.alerts.endpoint,
            sendHighWaterMark: configuration.alerts.sendHighWaterMark, configure: secure)
        let catchup = configuration.catchup.endpoint.isEmpty ? nil : try CatchupResponder(
            context: context, endpoint: configuration.catchup.endpoint, maxBatch: configuration.catchup.maxBatch, configure: secure)
        defer {
            publisher.close()
            catchup?.close()
        }
        logger.info(
            "sockets bound",
            metadata: ["events": "\(eventsEndpoint)", "alerts": "\(publisher.boundEndpoint)",
                       "catchup": "\(catchup?.boundEndpoint ?? "off")", "topic": "\(configuration.events.topic)",
                       "next_seq": "\(batch.engine.nextSequence)"])
        var sockets = [wake]
        if let catchup { sockets.append(catchup.pollable) }
        let zapIndex = sockets.count
        if let zap { sockets.append(zap.pollable) }
        var reported = PipelineStatistics()
        var nextCheckpoint = ContinuousClock.now + configuration.state.checkpointInterval
        try finishBatch(&batch, publisher, journal, reported: &reported)
        markReady()

        // Runs until the decode stage hands over its last batch: after a stop request, once it has decoded
        // every message libzmq already held.
        var decoding = true
        var stopForwarded = false
        let scratch = ZMQMessage()
        while decoding {
            if !stopForwarded && shared.withLock({ $0.stopRequested }) {
                decodeStage.requestStop()
                stopForwarded = true
            }
            let readable = try ZMQPoller.readable(sockets, timeoutMilliseconds: settings.pollIntervalMilliseconds)
            if readable[0] {
                while try wake.receive(into: scratch, dontWait: true) {}
            }
            var decodedBatches = decodeStage.takeBatches()
            for index in decodedBatches.indices {
                if decodedBatches[index].isLast {
                    if let error = decodedBatches[index].error { throw error }
                    decoding = false
                    continue
                }
                // Alerts leave as soon as the event that raised them is detected: an alert should not wait for
                // the rest of its batch (up to 64 events, a third of a millisecond or more) to be detected.
                var position = 0
                var detecting = Duration.zero
                while position < decodedBatches[index].items.count {
                    let started = ContinuousClock.now
                    batch.handle(&decodedBatches[index], from: &position)
                    detecting += ContinuousClock.now - started
                    if !batch.alerts.isEmpty { publishAlerts(&batch, publisher, journal) }
                }
                metrics?.recordProcessing(detecting, events: decodedBatches[index].items.count)
            }
            decodeStage.giveBack(consume decodedBatches)
            applyInbox(&batch)
            try finishBatch(&batch, publisher, journal, reported: &reported)
            if catchup != nil && readable[1], let catchup {
                try catchup.answerPending(from: journal)
            }
            if let zap, readable[zapIndex] {
                for refusal in try zap.answerPending() {
                    logger.warning("connection refused", metadata: ["reason": "\(refusal.reason)", "client_key": "\(refusal.key)"])
                }
                batch.totals.authRefusals = zap.refusals
            }
            if ContinuousClock.now >= nextCheckpoint, let store = settings.checkpoints {
                nextCheckpoint = ContinuousClock.now + batch.engine.configuration.state.checkpointInterval
                checkpointInBackground(batch.engine, to: store)
            }
        }
        applyInbox(&batch)
        try finishBatch(&batch, publisher, journal, reported: &reported)
        if let store = settings.checkpoints {
            do {
                try store.write(batch.engine)
                logger.info("checkpoint written", metadata: ["path": "\(store.file.path)", "events": "\(batch.engine.eventsProcessed)"])
            } catch {
                logger.error("final checkpoint failed", metadata: ["error": "\(error)"])
            }
        }
        logger.info("ingest stopped", metadata: ["events": "\(batch.totals.eventsReceived)", "decoded": "\(decodeStage.messagesTaken)"])
    }

    /// Writes a copy of the engine on another thread: the copy is cheap (copy-on-write) and encoding a
    /// large state must not pause ingest.
    private func checkpointInBackground(_ engine: DetectionEngine, to store: CheckpointStore) {
        let logger = self.logger
        Thread.detachNewThread {
            do {
                try store.write(engine)
                logger.debug("checkpoint written", metadata: ["path": "\(store.file.path)"])
            } catch {
                logger.error("checkpoint failed", metadata: ["error": "\(error)"])
            }
        }
    }

    /// Applies reloaded configurations and queues operational alerts, between two batches.
    private func applyInbox(_ batch: inout Batch) {
        let (configurations, operational) = shared.withLock { state in
            defer {
                state.pendingConfigurations.removeAll()
                state.operationalAlerts.removeAll()
            }
            return (state.pendingConfigurations, state.operationalAlerts)
        }
        for (configuration, applied) in configurations {
            batch.apply(configuration)
            applied.resume()
        }
        for alert in operational { batch.operational.append(alert) }
    }

    private func finishBatch(
        _ batch: inout Batch, _ publisher: AlertPublisher, _ journal: AlertJournal, reported: inout PipelineStatistics
    ) throws {
        for change in try publisher.drainSubscriptions() {
            logger.info(change.subscribed ? "alert subscriber joined" : "alert subscriber left",
                        metadata: ["prefix": "\(change.prefix)"])
        }
        publishAlerts(&batch, publisher, journal)
        for var alert in batch.operational {
            alert.seq = batch.engine.takeSequenceNumber()
            publish(topic: alert.topic, payload: alert.jsonPayload, id: alert.id, seq: alert.seq,
                    kind: AlertKind(detector: "tokenwatch", severity: alert.severity.rawValue), publisher, journal, &batch)
        }
        batch.operational.removeAll()
        journal.commit()

        batch.totals.eventsLate = batch.engine.eventsLate
        batch.totals.subjectsEvicted = batch.engine.subjectsEvicted
        batch.totals.alertSubscriptions = publisher.subscriptions.values.reduce(0, +)
        batch.totals.trackedSubjects = batch.engine.trackedSubjects
        batch.totals.openIncidents = batch.engine.openIncidents
        batch.totals.watermark = batch.engine.watermark
        var totals = batch.totals
        // The older of the two threads' heartbeats: either one stuck stops the watchdog.
        let now = ContinuousClock.now
        let heartbeat = min(now, batch.decodeStage.heartbeat ?? now)
        shared.withLock { state in
            totals.reloadsSucceeded = state.reloadsSucceeded
            totals.reloadsFailed = state.reloadsFailed
            state.statistics = totals
            state.heartbeat = heartbeat
        }
        metrics?.record(from: reported, to: totals)
        reported = totals
    }

    /// Journals and sends the alerts the engine produced, in order, and commits the journal.
    private func publishAlerts(_ batch: inout Batch, _ publisher: AlertPublisher, _ journal: AlertJournal) {
        for alert in batch.alerts {
            let kind = AlertKind(detector: alert.detector.rawValue, severity: alert.state == .firing ? alert.severity.rawValue : "resolved")
            publish(topic: alert.topic, payload: alert.jsonPayload, id: alert.id, seq: alert.seq, kind: kind, publisher, journal, &batch)
        }
        batch.alerts.removeAll(keepingCapacity: true)
        journal.commit()
    }

    /// Journals the alert, then sends it: an alert the socket refuses is still in the journal for catch-up.
    private func publish(topic: String, payload: String, id: String, seq: UInt64, kind: AlertKind,
                         _ publisher: AlertPublisher, _ journal: AlertJournal, _ batch: inout Batch) {
        let topicSequence = journal.nextTopicSequence(topic)
        journal.append(JournalEntry(seq: seq, topic: topic, topicSequence: topicSequence, payload: payload))
        do {
            if try publisher.publish(topic: topic, payload: payload, topicSequence: topicSequence) {
                batch.totals.alertsPublished[kind, default: 0] += 1
                logger.notice("alert", metadata: ["topic": "\(topic)", "id": "\(id)", "seq": "\(seq)"])
            } else {
                batch.totals.alertsDropped += 1
                logger.warning("alert dropped at the high-water mark", metadata: ["topic": "\(topic)", "id": "\(id)"])
            }
        } catch {
            batch.totals.alertsDropped += 1
            logger.error("alert could not be sent", metadata: ["topic": "\(topic)", "id": "\(id)", "error": "\(error)"])
        }
    }
}

private struct SharedState: Sendable {
    var stopRequested = false
    var finished = false
    var pendingConfigurations: [(TokenWatchConfiguration, CheckedContinuation<Void, Never>)] = []
    var operationalAlerts: [OperationalAlert] = []
    var statistics = PipelineStatistics()
    var heartbeat: ContinuousClock.Instant?
    var reloadsSucceeded: UInt64 = 0
    var reloadsFailed: UInt64 = 0
}

private enum Completion {
    case running(ready: CheckedContinuation<Void, any Error>?, finished: [CheckedContinuation<Void, any Error>])
    case done(Result<Void, any Error>)
}

/// The detection thread's working set: engine, queued alerts and the running totals.
private struct Batch {
    let decodeStage: DecodeStage
    var engine: DetectionEngine
    var alerts: [Alert] = []
    var operational: [OperationalAlert] = []
    var totals = PipelineStatistics()
    var rejectionLog: RejectionLog

    init(decodeStage: DecodeStage, engine: DetectionEngine, logger: Logger) {
        self.decodeStage = decodeStage
        self.engine = engine
        rejectionLog = RejectionLog(logger: logger)
    }

    mutating func apply(_ configuration: TokenWatchConfiguration) {
        decodeStage.update(limits: configuration.events.limits)
        engine.apply(configuration)
    }

    /// Runs the events of a decoded batch through the engine, in order, from `position`; counts the rest as
    /// rejected. Returns after the first event that raises alerts (with `position` past it), so that they can
    /// be published before the rest of the batch is detected, or at the end of the batch. The items are read
    /// where they lie and left in the batch, which goes back to the decode thread to be freed.
    mutating func handle(_ decoded: inout DecodeStage.Batch, from position: inout Int) {
        let latestAccepted = decoded.receivedAt + engine.configuration.events.maxFuture
        while position < decoded.items.count && alerts.isEmpty {
            handle(&decoded.items[position], latestAccepted: latestAccepted)
            position += 1
        }
    }

    /// `inout` only so that the item is read in place: a copy would retain every string of the event once more
    /// (see ``DecodedEvent``).
    private mutating func handle(_ item: inout DecodedEvent, latestAccepted: EventTime) {
        totals.eventsReceived += 1
        if let rejection = engine.admit(&item, latestAccepted: latestAccepted, into: &alerts) {
            reject(rejection)
        } else {
            totals.eventsProcessed += 1
        }
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
