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

    /// The payload as one line of JSON, keys in a fixed order.
    public var jsonPayload: String {
        var json = JSONWriter()
        json.beginObject()
        json.string(id, key: "id")
        json.string(incident, key: "incident")
        json.integer(Int64(seq), key: "seq")
        json.string(detector.rawValue, key: "detector")
        json.string(severity.rawValue, key: "severity")
        json.string(state.rawValue, key: "state")
        json.beginObject(key: "subject")
        if let user = subject.user { json.string(user, key: "user") }
        if let agent = subject.agent { json.string(agent, key: "agent") }
        json.endObject()
        json.string(time.rfc3339, key: "ts")
        json.beginObject(key: "window")
        json.string(windowStart.rfc3339, key: "start")
        json.string(windowEnd.rfc3339, key: "end")
        json.endObject()
        json.figures(observed, key: "observed")
        json.figures(threshold, key: "threshold")
        json.string(summary, key: "summary")
        json.beginArray(key: "evidence")
        for id in evidence { json.string(id) }
        json.endArray()
        json.integer(Int64(suppressed), key: "suppressed")
        json.endObject()
        return json.text
    }
}
