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
        let delivery: AlertDelivery
        let catchup: CatchupResponder?
        let zap: ZAPHandler?
        let handshakes: HandshakeMonitor
        let poll: DetectionPoll
    }

    /// Sets up, runs the loop, closes everything in reverse order whatever happens.
    func runThread() throws {
        let configuration = settings.configuration
        let decodeStage = DecodeStage(limits: configuration.events.limits)
        var work = DetectionWorkingSet(
            decodeStage: decodeStage, engine: restoredEngine(),
            workers: DetectionWorkers(workers: configuration.state.detectionThreads), logger: logger)
        let journal = try AlertJournal(
            directory: settings.stateDirectory, configuration: configuration.journal, logger: logger)
        defer { journal.close() }
        work.engine.advanceSequence(atLeast: journal.nextSeq)

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
            decodeStage, context: context, secure: secure, monitor: monitors.first?.1)
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
        logBound(bound, nextSeq: work.engine.nextSequence)
        let handshakes = try Self.monitorHandshakes(monitors, publisher, catchup, context: context)
        defer { handshakes.close() }
        let resources = ThreadResources(
            decodeStage: decodeStage, wake: wake,
            delivery: AlertDelivery(publisher: publisher, journal: journal, logger: logger),
            catchup: catchup, zap: zap, handshakes: handshakes,
            poll: DetectionPoll(wake: wake, catchup: catchup?.pollable, authentication: zap?.pollable))
        try detectUntilDrained(&work, resources)
    }

    /// Starts the decode thread, which makes and binds the event socket (and starts its handshake monitor).
    private func startDecoding(
        _ decodeStage: DecodeStage, context: ZMQContext, secure: @escaping @Sendable (ZMQSocket) throws -> Void,
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

    /// Runs rounds until the decode stage hands over its last batch (after a stop request, once it has
    /// decoded every message libzmq already held), then publishes what is left and writes a final checkpoint.
    private func detectUntilDrained(_ work: inout DetectionWorkingSet, _ resources: ThreadResources) throws {
        var reported = PipelineStatistics()
        try finishBatch(&work, resources, reported: &reported)
        markReady()
        var loop = DetectionLoopState(
            now: ContinuousClock.now, checkpointInterval: settings.configuration.state.checkpointInterval)
        let scratch = ZMQMessage()
        while loop.phase != .drained {
            if loop.phase == .running && stopRequested, loop.stopRequested() == .forwardStopToDecodeStage {
                resources.decodeStage.requestStop()
            }
            let woken = try resources.poll.wait(timeoutMilliseconds: settings.pollIntervalMilliseconds)
            if woken.contains(.decodedBatches) {
                while try resources.wake.receive(into: scratch, dontWait: true) {}
            }
            try detectQueuedBatches(&work, resources, loop: &loop)
            applyInbox(&work)
            try finishBatch(&work, resources, reported: &reported)
            try answerRequests(woken, &work, resources)
            if let store = settings.checkpoints,
                loop.checkpointDue(
                    now: ContinuousClock.now, interval: work.engine.configuration.state.checkpointInterval)
            {
                checkpointInBackground(work.engine, to: store)
            }
        }
        applyInbox(&work)
        try finishBatch(&work, resources, reported: &reported)
        writeFinalCheckpoint(work.engine)
        logger.info(
            "ingest stopped",
            metadata: ["events": "\(work.totals.eventsReceived)", "decoded": "\(resources.decodeStage.messagesTaken)"])
    }

    /// Detects every batch the decode stage queued, publishing each batch's alerts as soon as it is detected.
    private func detectQueuedBatches(
        _ work: inout DetectionWorkingSet, _ resources: ThreadResources,
        loop: inout DetectionLoopState<ContinuousClock.Instant>
    ) throws {
        var decodedBatches = resources.decodeStage.takeBatches()
        for index in decodedBatches.indices {
            if decodedBatches[index].isLast {
                try loop.lastBatchArrived(error: decodedBatches[index].error)
                continue
            }
            let started = ContinuousClock.now
            work.handle(&decodedBatches[index])
            recordProcessing(ContinuousClock.now - started, events: decodedBatches[index].items.count)
            if !work.alerts.isEmpty { resources.delivery.publishAlerts(&work) }
        }
        resources.decodeStage.giveBack(consume decodedBatches)
    }

    /// Answers catch-up and CURVE authentication requests the poll woke up for.
    private func answerRequests(
        _ woken: PipelineWakeups, _ work: inout DetectionWorkingSet, _ resources: ThreadResources
    ) throws {
        if woken.contains(.catchupRequests), let catchup = resources.catchup {
            try catchup.answerPending(from: resources.delivery.journal)
            work.totals.catchupRefusals = catchup.refused
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
        let inbox = takeInbox()
        for (configuration, applied) in inbox.configurations {
            work.apply(configuration)
            applied.resume()
        }
        work.operational += inbox.operational
    }

    /// Logs subscription changes, publishes what is queued, and reports the totals.
    private func finishBatch(
        _ work: inout DetectionWorkingSet, _ resources: ThreadResources, reported: inout PipelineStatistics
    ) throws {
        let publisher = resources.delivery.publisher
        for change in try publisher.drainSubscriptions() {
            logger.info(
                change.subscribed ? "alert subscriber joined" : "alert subscriber left",
                metadata: ["prefix": "\(change.prefix)"])
        }
        resources.delivery.publishAlerts(&work)
        resources.delivery.publishOperational(&work)

        work.totals.eventsLate = work.engine.eventsLate
        work.totals.journalErrors = resources.delivery.journal.errors
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
