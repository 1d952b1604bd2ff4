/// One alert as published: a pattern, its evidence and the limits it crossed. Never prompt text.
public struct Alert: Sendable, Equatable {
    /// Deterministic: the same events give the same id, in `run` and `replay` alike.
    public var id: String
    /// The id shared by every alert of one incident (its firing, repeats and resolution).
    public var incident: String
    /// Counts every alert the daemon publishes, from 0.
    public var seq: UInt64
    public var detector: DetectorName
    public var severity: AlertSeverity
    public var state: AlertState
    public var subject: AlertSubject
    /// The event time at which the condition was detected (or, resolved, seen to have cleared).
    public var time: EventTime
    public var windowStart: EventTime
    public var windowEnd: EventTime
    public var observed: [(String, AlertFigure)]
    public var threshold: [(String, AlertFigure)]
    public var summary: String
    public var evidence: [String]
    /// Findings of this incident not published since the previous alert of it (cooldown).
    public var suppressed: Int

    /// `alert.<detector>.<severity>` while firing, `alert.<detector>.resolved` once cleared.
    public var topic: String {
        "alert.\(detector.rawValue).\(state == .firing ? severity.rawValue : "resolved")"
    }

    public static func == (lhs: Alert, rhs: Alert) -> Bool {
        lhs.jsonPayload == rhs.jsonPayload
    }

    /// The payload as one line of JSON, keys in a fixed order (``AlertPayload``).
    public var jsonPayload: String { AlertPayload(self).json }
}
