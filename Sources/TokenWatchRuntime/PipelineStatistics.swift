import TokenWatchCore

/// What the ingest pipeline has done so far, updated once per batch.
public struct PipelineStatistics: Sendable, Equatable {
    /// Messages taken off the event socket.
    public var eventsReceived: UInt64 = 0
    /// Events that passed validation and reached the detectors.
    public var eventsProcessed: UInt64 = 0
    /// Events dropped, by reason.
    public var eventsRejected: [RejectionReason: UInt64] = [:]
    /// Alerts handed to the alert socket, by topic.
    public var alertsPublished: [String: UInt64] = [:]
    /// Alerts the alert socket refused at its high-water mark (a subscriber too slow).
    public var alertsDropped: UInt64 = 0
    /// Alert subscriptions currently open, as reported by the alert socket.
    public var alertSubscriptions = 0
    public var trackedSubjects: [DetectorName: Int] = [:]
    public var openIncidents = 0
    public var watermark: EventTime?

    public var totalRejected: UInt64 { eventsRejected.values.reduce(0, +) }
    public var totalAlertsPublished: UInt64 { alertsPublished.values.reduce(0, +) }

    public init() {}
}
