import Foundation
import Logging
import TokenWatchCore
import ZeroMQ

/// The detection thread's body: it opens the journal and the sockets, restores state, then detects until
/// the decode stage has handed over its last batch, and ends with a final checkpoint.
extension DetectionPipeline {
    /// Everything the detection thread owns once set up.
    struct ThreadResources {
        let decodeStage: DecodeStage
        let wake: ZMQSocket
        let journal: AlertJournal
        let publisher: AlertPublisher
        let catchup: CatchupResponder?
        let zap: ZAPHandler?
        let handshakes: HandshakeMonitor
        let poll: DetectionPoll
    }

    /// Sets up, runs the loop, closes everything in reverse order whatever happens.
    func runThread() throws {
        let configuration = settings.configuration
        var engine = restoredEngine()
        let workers = DetectionWorkers(workers: configuration.state.detectionThreads)
        let journal = try AlertJournal(
            directory: settings.stateDirectory, configuration: configuration.journal, logger: logger)
        defer { journal.close() }
        engine.advanceSequence(atLeast: journal.nextSeq)

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
        // With CURVE, each server socket reports failed handshakes (plaintext clients, wrong server keys).
        let monitors =
            security.curve ? ["events", "alerts", "catchup"].map { ($0, HandshakeMonitor.endpoint(for: $0)) } : []
        let eventsEndpoint = try startDecoding(
            context: context, secure: secure, monitor: monitors.first?.1)
        // However this thread ends, the decode thread ends first and closes the event socket.
        defer { decodeStage.stopAndWait() }
        let publisher = try AlertPublisher(
            context: context, endpoint: configuration.alerts.endpoint,
            sendHighWaterMark: configuration.alerts.sendHighWaterMark, configure: secure)
        let catchup =
            configuration.catchup.endpoint.isEmpty
            ? nil
            : try CatchupResponder(
                context: context, endpoint: configuration.catchup.endpoint, maxBatch: configuration.catchup.maxBatch,
                configure: secure)
        defer {
            publisher.close()
            catchup?.close()
        }
        let bound = BoundEndpoints(
            events: eventsEndpoint, alerts: publisher.boundEndpoint, catchup: catchup?.boundEndpoint)
        logBound(bound, nextSeq: engine.nextSequence)
        let handshakes = try Self.monitorHandshakes(monitors, publisher, catchup, context: context)
        defer { handshakes.close() }
        let resources = ThreadResources(
            decodeStage: decodeStage, wake: wake,
            journal: journal, publisher: publisher,
            catchup: catchup, zap: zap, handshakes: handshakes,
            poll: DetectionPoll(wake: wake, catchup: catchup?.pollable, authentication: zap?.pollable))
        var work = DetectionWorkingSet(
            decodeStage: decodeStage, engine: engine, workers: workers,
            delivery: AlertDelivery(publisher: publisher, journal: journal, logger: logger), logger: logger)
        try detectUntilDrained(&work, resources)
    }

    /// Starts the decode thread, which makes and binds the event socket (and starts its handshake monitor).
    private func startDecoding(
        context: ZMQContext, secure: @escaping @Sendable (ZMQSocket) throws -> Void,
        monitor: String?
    ) throws -> String {
        let events = settings.configuration.events
        return try decodeStage.start(
            context: context, batchLimit: settings.batchLimit,
            pollIntervalMilliseconds: settings.pollIntervalMilliseconds
        ) {
            let socket = try Self.makeEventSocket(context: context, events, secure: secure)
            if let monitor { try socket.startMonitor(on: monitor, events: ZMQMonitorEvent.handshakeFailures) }
            return socket
        }
    }

    private func logBound(_ bound: BoundEndpoints, nextSeq: UInt64) {
        logger.info(
            "sockets bound",
            metadata: [
                "events": "\(bound.events)", "alerts": "\(bound.alerts)", "catchup": "\(bound.catchup ?? "off")",
                "topic": "\(settings.configuration.events.topic)", "next_seq": "\(nextSeq)",
            ])
        recordBound(bound)
    }

    /// Starts the alert and catch-up sockets' handshake monitors (the event socket's started on its own
    /// thread) and reads them all; `monitors` is empty without CURVE.
    private static func monitorHandshakes(
        _ monitors: [(String, String)], _ publisher: AlertPublisher, _ catchup: CatchupResponder?, context: ZMQContext
    ) throws -> HandshakeMonitor {
        guard monitors.count == 3 else { return try HandshakeMonitor(context: context, endpoints: []) }
        try publisher.startHandshakeMonitor(on: monitors[1].1)
        try catchup?.startHandshakeMonitor(on: monitors[2].1)
        let used = catchup == nil ? Array(monitors.prefix(2)) : monitors
        return try HandshakeMonitor(context: context, endpoints: used.map { (socket: $0.0, endpoint: $0.1) })
    }

    /// The largest message the event socket takes off the wire (64 MiB, four times the largest
    /// `events.max_message_bytes` allowed): beyond it libzmq drops the publisher's connection.
    static let transportMessageLimit = 64 << 20

    /// The SUB socket events arrive on, bound; made on the decode thread, which owns it.
    private static func makeEventSocket(
        context: ZMQContext, _ events: EventsConfiguration, secure: (ZMQSocket) throws -> Void
    ) throws -> ZMQSocket {
        let socket = try ZMQSocket(context: context, type: .sub)
        do {
            try secure(socket)
            try socket.setReceiveHighWaterMark(events.receiveHighWaterMark)
            // libzmq drops a peer whose message exceeds ZMQ_MAXMSGSIZE, with every message it had queued, and
            // says nothing; so the transport takes anything up to transportMessageLimit and the decoder refuses
            // (and counts) what is over events.max_message_bytes.
            try socket.setMaxMessageSize(Int64(Self.transportMessageLimit))
            try socket.setLinger(milliseconds: 0)
            for prefix in events.subscriptions { try socket.subscribe(prefix) }
            try socket.bind(events.endpoint)
        } catch {
            socket.close()
            throw error
        }
        return socket
    }

    /// Runs rounds until the decode stage has finished (after a stop request, once it has handed over every
    /// message libzmq already held), then publishes what is left and writes a final checkpoint.
    private func detectUntilDrained(_ work: inout DetectionWorkingSet, _ resources: ThreadResources) throws {
        var reported = PipelineStatistics()
        try finishBatch(&work, resources, reported: &reported)
        markReady()
        var checkpoints = CheckpointSchedule(
            now: ContinuousClock.now, interval: settings.configuration.state.checkpointInterval)
        let scratch = ZMQMessage()
        var decoding = DecodingProgress.receiving
        do {
            while case .receiving = decoding {
                let woken = try resources.poll.wait(timeoutMilliseconds: settings.pollIntervalMilliseconds)
                if woken.contains(.decodedBatches) {
                    while try resources.wake.receive(into: scratch, dontWait: true) {}
                }
                decoding = detectQueuedBatches(&work, resources)
                applyInbox(&work)
                try finishBatch(&work, resources, reported: &reported)
                try answerRequests(woken, &work, resources)
                if let store = settings.checkpoints,
                    checkpoints.isDue(
                        now: ContinuousClock.now, interval: work.engine.configuration.state.checkpointInterval)
                {
                    checkpointInBackground(work.engine, to: store)
                }
            }
            if case .finished = decoding {
                applyInbox(&work)
                try finishBatch(&work, resources, reported: &reported)
            }
        } catch {
            switch lifecycleInput({ $0.socketFailed(error) }) {
            case .end(let error): throw error
            case .none: throw error
            }
        }
        if case .failed(let error) = decoding { throw error }
        writeFinalCheckpoint(work.engine)
        logger.info(
            "ingest stopped",
            metadata: ["events": "\(work.totals.eventsReceived)", "decoded": "\(resources.decodeStage.messagesTaken)"])
    }

    /// Whether the decode stage may hand over more batches.
    private enum DecodingProgress {
        case receiving
        /// It has finished, successfully: what it handed over is all there is.
        case finished
        /// Its socket failed: the thread ends with the error.
        case failed(any Error)
    }

    /// Detects every batch the decode stage queued, publishing each batch's alerts as soon as it is detected.
    private func detectQueuedBatches(
        _ work: inout DetectionWorkingSet, _ resources: ThreadResources
    ) -> DecodingProgress {
        let handoff = resources.decodeStage.handoff
        while let next = handoff.nextIfReady() {
            // Consumed, so that the batch's events have one owner and are read in place, not copied.
            switch consume next {
            case .batch(var batch):
                switch lifecycleInput({ $0.batchArrived() }) {
                case .detect:
                    let started = ContinuousClock.now
                    work.handle(&batch)
                    recordProcessing(ContinuousClock.now - started, events: batch.items.count)
                    if !work.alerts.isEmpty { work.publishAlerts() }
                case .discard:
                    break
                }
                handoff.giveBack(batch)
            case .finished(let result):
                switch lifecycleInput({ $0.decodingFinished(result) }) {
                case .publishRemainingAndCheckpoint, .none: return .finished
                case .end(let error): return .failed(error)
                }
            }
        }
        return .receiving
    }

    /// Answers catch-up and CURVE authentication requests the poll woke up for.
    private func answerRequests(
        _ woken: PipelineWakeups, _ work: inout DetectionWorkingSet, _ resources: ThreadResources
    ) throws {
        if woken.contains(.catchupRequests), let catchup = resources.catchup {
            switch lifecycleInput({ $0.catchupRequested() }) {
            case .answer:
                try catchup.answerPending(from: resources.journal)
                work.totals.catchupRefusals = catchup.refused
            case .ignore:
                break
            }
        }
        if woken.contains(.authenticationRequests), let zap = resources.zap {
            for refusal in try zap.answerPending() {
                logger.warning(
                    "connection refused", metadata: ["reason": "\(refusal.reason)", "client_key": "\(refusal.key)"])
            }
            work.totals.authRefusals = zap.refusals
        }
        try resources.handshakes.drain(logger: logger)
        if resources.handshakes.failures > 0 {
            work.totals.authRefusals["handshake_failed"] = resources.handshakes.failures
        }
    }

    /// Applies reloaded configurations and queues operational alerts, between two batches.
    private func applyInbox(_ work: inout DetectionWorkingSet) {
        let inbox = lifecycleInput { $0.inboxTaken() }
        for reload in inbox.reloads {
            work.apply(reload.configuration)
            reload.applied.resume()
        }
        work.delivery.queue(inbox.operationalAlerts)
    }

    /// Logs subscription changes, publishes what is queued, and reports the totals.
    private func finishBatch(
        _ work: inout DetectionWorkingSet, _ resources: ThreadResources, reported: inout PipelineStatistics
    ) throws {
        let publisher = resources.publisher
        for change in try publisher.drainSubscriptions() {
            logger.info(
                change.subscribed ? "alert subscriber joined" : "alert subscriber left",
                metadata: ["prefix": "\(change.prefix)"])
        }
        work.publishAlerts()
        work.publishOperational()

        work.totals.eventsLate = work.engine.eventsLate
        work.totals.journalErrors = resources.journal.errors
        for (label, usage) in work.engine.spending.takeByLabel() {
            work.totals.spending[label, default: JudgedUsage()].add(usage)
        }
        work.totals.subjectsEvicted = work.engine.subjectsEvicted
        work.totals.alertSubscriptions = publisher.subscriptions.values.reduce(0, +)
        work.totals.trackedSubjects = work.engine.trackedSubjects
        work.totals.openIncidents = work.engine.openIncidents
        work.totals.watermark = work.engine.watermark
        // The older of the two threads' heartbeats: either one stuck stops the watchdog.
        let now = ContinuousClock.now
        report(work.totals, heartbeat: min(now, resources.decodeStage.heartbeat ?? now), since: &reported)
    }
}
