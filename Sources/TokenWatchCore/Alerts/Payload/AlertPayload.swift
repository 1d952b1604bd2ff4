/// An alert's JSON, the contract between the daemon and whatever listens (README, "Alert (out)"): the one
/// writer (``json``) and the one reader (``init(parsing:)``) of it, used by the daemon, the journal, the
/// client and the forwarder.
///
/// A detector's alert is written with its keys in a fixed order:
///
///     {"id":…,"incident":…,"seq":…,"detector":…,"severity":…,"state":…,"subject":{"user":…,"agent":…},
///      "ts":…,"window":{"start":…,"end":…},"observed":{…},"threshold":{…},"summary":…,"evidence":[…],
///      "suppressed":…}
///
/// An alert about TokenWatch itself (``Operational``) has no incident, seq, window or figures; it carries a
/// name and details, and its keys are sorted.
///
/// Reading is lenient about absence, strict about kind: `id`, `detector`, `state` and `ts` must be there, every
/// other key may be missing, but a key that is there must hold the kind of value the contract gives it. Names
/// (`detector`, `severity`, `state`) are kept as written, so that a consumer decides what to do with one it does
/// not know.
public struct AlertPayload: Sendable {
    /// Deterministic: the same events give the same id.
    public var id: String
    /// The id shared by every alert of one incident; `nil` for an operational alert.
    public var incident: String?
    /// The daemon's count of detector alerts; `nil` for an operational alert.
    public var seq: UInt64?
    /// A ``DetectorName``, or `tokenwatch` for an operational alert.
    public var detector: String
    /// An ``AlertSeverity``; empty when the payload has none.
    public var severity: String
    /// An ``AlertState``: `firing` or `resolved`.
    public var state: String
    /// `nil` when the payload has no `subject` object.
    public var subject: AlertSubject?
    /// The event time of the alert, RFC 3339 as written (`ts`).
    public var time: String
    /// The event times the pattern spans, RFC 3339 as written.
    public var window: Window?
    public var observed: [(String, AlertFigure)]
    public var threshold: [(String, AlertFigure)]
    /// Empty when the payload has none.
    public var summary: String
    /// Ids of the events that show the pattern.
    public var evidence: [String]
    /// Findings of the incident not published since its previous alert.
    public var suppressed: Int64?
    /// Present for an alert about TokenWatch itself, which is written in its own shape.
    public var operational: Operational?

    /// The `window` object.
    public struct Window: Sendable, Equatable {
        public var start: String
        public var end: String

        public init(start: String, end: String) {
            self.start = start
            self.end = end
        }
    }

    /// What only an operational alert carries (`alert.tokenwatch.<name>`).
    public struct Operational: Sendable, Equatable {
        public var name: String
        public var details: [String]

        public init(name: String, details: [String]) {
            self.name = name
            self.details = details
        }
    }

    /// A payload with every key the contract allows; those left out are absent.
    public init(
        id: String, incident: String? = nil, seq: UInt64? = nil, detector: String, severity: String = "",
        state: String, subject: AlertSubject? = nil, time: String, window: Window? = nil,
        observed: [(String, AlertFigure)] = [], threshold: [(String, AlertFigure)] = [], summary: String = "",
        evidence: [String] = [], suppressed: Int64? = nil, operational: Operational? = nil
    ) {
        self.id = id
        self.incident = incident
        self.seq = seq
        self.detector = detector
        self.severity = severity
        self.state = state
        self.subject = subject
        self.time = time
        self.window = window
        self.observed = observed
        self.threshold = threshold
        self.summary = summary
        self.evidence = evidence
        self.suppressed = suppressed
        self.operational = operational
    }

    /// A detector's alert as the daemon publishes it.
    public init(_ alert: Alert) {
        self.init(
            id: alert.id, incident: alert.incident, seq: alert.seq, detector: alert.detector.rawValue,
            severity: alert.severity.rawValue, state: alert.state.rawValue, subject: alert.subject,
            time: alert.time.rfc3339, window: Window(start: alert.windowStart.rfc3339, end: alert.windowEnd.rfc3339),
            observed: alert.observed, threshold: alert.threshold, summary: alert.summary, evidence: alert.evidence,
            suppressed: Int64(alert.suppressed))
    }

    /// Whether the alert closes its incident.
    public var isResolved: Bool { state == AlertState.resolved.rawValue }
}

extension AlertPayload: Equatable {
    /// Two payloads are equal when they are written alike.
    public static func == (lhs: AlertPayload, rhs: AlertPayload) -> Bool { lhs.json == rhs.json }
}
