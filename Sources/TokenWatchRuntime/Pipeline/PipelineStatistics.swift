import TokenWatchCore

/// What the ingest pipeline has done so far, updated once per batch.
public struct PipelineStatistics: Sendable, Equatable {
    /// Messages taken off the event socket.
    public var eventsReceived: UInt64 = 0
    /// Events that passed validation and reached the detectors.
    public var eventsProcessed: UInt64 = 0
    /// Events dropped, by reason.
    public var eventsRejected: [RejectionReason: UInt64] = [:]
    /// Events older than the watermark minus the allowed lateness (handled, but counted).
    public var eventsLate: UInt64 = 0
    /// Subjects forgotten to stay under `state.max_tracked_subjects`.
    public var subjectsEvicted: UInt64 = 0
    /// Connections refused by the CURVE allow-list, by reason.
    public var authRefusals: [String: UInt64] = [:]
    /// Catch-up requests refused as malformed (a `since` that is not a sequence number).
    public var catchupRefusals: UInt64 = 0
    /// Alerts handed to the alert socket, by detector and severity (`resolved` for resolutions).
    public var alertsPublished: [AlertKind: UInt64] = [:]
    /// Alerts the alert socket refused (an error from libzmq; a slow subscriber's queue never makes it refuse).
    public var alertsDropped: UInt64 = 0
    /// Alerts waiting for the journal to write them before they are sent.
    public var alertsAwaitingJournal = 0
    /// Alerts sent without a journal entry because too many were waiting for it.
    public var alertsUnjournaled: UInt64 = 0
    /// Journal segments that could not be opened and journal writes that failed.
    public var journalErrors: UInt64 = 0
    /// Alert subscriptions currently open, as reported by the alert socket.
    public var alertSubscriptions = 0
    /// Calls and tokens by team label (`report.max_teams`, `report.min_team_size`) and progress judgement.
    public var spending: [String: JudgedUsage] = [:]
    public var trackedSubjects: [DetectorName: Int] = [:]
    public var openIncidents = 0
    public var watermark: EventTime?
    /// Configuration reloads applied and refused.
    public var reloadsSucceeded: UInt64 = 0
    public var reloadsFailed: UInt64 = 0

    public var totalRejected: UInt64 { eventsRejected.values.reduce(0, +) }
    public var totalAlertsPublished: UInt64 { alertsPublished.values.reduce(0, +) }

    public init() {}
}

/// The labels of `tokenwatch_alerts_published_total`.
public struct AlertKind: Hashable, Sendable {
    public var detector: String
    /// `warning`, `critical`, or `resolved`.
    public var severity: String

    public init(detector: String, severity: String) {
        self.detector = detector
        self.severity = severity
    }
}
