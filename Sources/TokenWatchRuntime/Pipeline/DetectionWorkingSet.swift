import Logging
import TokenWatchCore

/// The detection thread's working set: the engine, the alerts it made, their delivery and the running totals.
struct DetectionWorkingSet {
    let decodeStage: DecodeStage
    var engine: DetectionEngine
    /// The threads the engine's shards run on (`state.detection_threads`, fixed at start).
    let workers: DetectionWorkers
    /// The engine's alerts, until ``publishAlerts()`` hands them to the delivery.
    var alerts: [Alert] = []
    var delivery: AlertDelivery
    var totals = PipelineStatistics()
    var rejectionLog: RejectionLog

    init(
        decodeStage: DecodeStage, engine: DetectionEngine, workers: DetectionWorkers, delivery: AlertDelivery,
        logger: Logger
    ) {
        self.decodeStage = decodeStage
        self.engine = engine
        self.workers = workers
        self.delivery = delivery
        rejectionLog = RejectionLog(logger: logger)
    }

    /// Journals and sends the engine's alerts, then the operational alerts once none waits before them.
    mutating func publishAlerts() {
        delivery.publishAlerts(&alerts, totals: &totals)
    }

    mutating func publishOperational() {
        delivery.publishOperational(totals: &totals)
    }

    mutating func apply(_ configuration: TokenWatchConfiguration) {
        decodeStage.update(limits: configuration.events.limits)
        engine.apply(configuration)
    }

    /// Runs the events of a decoded batch through the engine, in order, on the detection threads; counts the
    /// refused ones. The items are read where they lie and left in the batch, which goes back to the decode
    /// thread to be freed.
    mutating func handle(_ decoded: inout DecodeStage.Batch) {
        let latestAccepted = decoded.receivedAt + engine.configuration.events.maxFuture
        totals.eventsReceived += UInt64(decoded.items.count)
        var refused: [EventRejection] = []
        decoded.items.withUnsafeMutableBufferPointer { items in
            engine.detect(
                items, latestAccepted: latestAccepted, on: workers, rejected: { refused.append($1) }, into: &alerts)
        }
        for rejection in refused { reject(rejection) }
        totals.eventsProcessed += UInt64(decoded.items.count - refused.count)
    }

    private mutating func reject(_ rejection: EventRejection) {
        totals.eventsRejected[rejection.reason, default: 0] += 1
        rejectionLog.record(rejection)
    }
}
