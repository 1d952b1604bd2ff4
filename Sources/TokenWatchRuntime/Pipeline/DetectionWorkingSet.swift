import Logging
import TokenWatchCore

/// The detection thread's working set: the engine, the alerts waiting to be published and the running totals.
struct DetectionWorkingSet {
    let decodeStage: DecodeStage
    var engine: DetectionEngine
    var alerts: [Alert] = []
    var operational: [OperationalAlert] = []
    /// Alerts journaled (or waiting for the journal) and not yet sent, in order.
    var unsent: [AlertDelivery.Unsent] = []
    /// The next sequence frame of each operational alert topic (not journaled, so counted from 0 per start).
    var operationalSequences: [String: UInt32] = [:]
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
