/// One detector's statement that its condition holds at an event: the raw material of alerts.
///
/// Detectors emit a finding for every event at which the condition holds; ``AlertLifecycle`` turns the
/// stream of findings into one firing and one resolved alert per incident.
public struct Finding: Sendable, Equatable {
    public var detector: DetectorName
    /// Identifies the incident within the detector: the same key while the same pattern goes on.
    public var key: String
    public var subject: AlertSubject
    /// The event time at which the condition was seen to hold.
    public var time: EventTime
    public var windowStart: EventTime
    public var observed: [(String, AlertFigure)]
    public var threshold: [(String, AlertFigure)]
    /// How far over its limit the pattern is (observed ÷ limit, ≥ 1): sets the severity.
    public var excess: Double
    public var summary: String
    public var evidence: [String]
    /// The severity the detector decided from what it saw, or `nil` to let the excess decide
    /// (`alerts.critical_factor`).
    public var severity: AlertSeverity?

    public init(
        detector: DetectorName, key: String, subject: AlertSubject, time: EventTime, windowStart: EventTime,
        observed: [(String, AlertFigure)], threshold: [(String, AlertFigure)], excess: Double, summary: String,
        evidence: [String]
    ) {
        self.detector = detector
        self.key = key
        self.subject = subject
        self.time = time
        self.windowStart = windowStart
        self.observed = observed
        self.threshold = threshold
        self.excess = excess
        self.summary = summary
        self.evidence = evidence
    }

    public static func == (lhs: Finding, rhs: Finding) -> Bool {
        lhs.detector == rhs.detector && lhs.key == rhs.key && lhs.subject == rhs.subject && lhs.time == rhs.time
            && lhs.windowStart == rhs.windowStart && lhs.excess == rhs.excess && lhs.summary == rhs.summary
            && lhs.evidence == rhs.evidence && lhs.severity == rhs.severity
            && lhs.observed.elementsEqual(rhs.observed, by: { $0 == $1 })
            && lhs.threshold.elementsEqual(rhs.threshold, by: { $0 == $1 })
    }
}

extension Finding: Codable {
    private enum CodingKeys: String, CodingKey {
        case detector, key, subject, time, windowStart, observed, threshold, excess, summary, evidence, severity
    }

    /// Figures keep their order, so they are coded as a list of named values.
    private struct NamedFigure: Codable {
        var name: String
        var value: AlertFigure
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            detector: try c.decode(DetectorName.self, forKey: .detector), key: try c.decode(String.self, forKey: .key),
            subject: try c.decode(AlertSubject.self, forKey: .subject),
            time: try c.decode(EventTime.self, forKey: .time),
            windowStart: try c.decode(EventTime.self, forKey: .windowStart),
            observed: try c.decode([NamedFigure].self, forKey: .observed).map { ($0.name, $0.value) },
            threshold: try c.decode([NamedFigure].self, forKey: .threshold).map { ($0.name, $0.value) },
            excess: try c.decode(Double.self, forKey: .excess), summary: try c.decode(String.self, forKey: .summary),
            evidence: try c.decode([String].self, forKey: .evidence))
        severity = try c.decodeIfPresent(AlertSeverity.self, forKey: .severity)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(detector, forKey: .detector)
        try c.encode(key, forKey: .key)
        try c.encode(subject, forKey: .subject)
        try c.encode(time, forKey: .time)
        try c.encode(windowStart, forKey: .windowStart)
        try c.encode(observed.map { NamedFigure(name: $0.0, value: $0.1) }, forKey: .observed)
        try c.encode(threshold.map { NamedFigure(name: $0.0, value: $0.1) }, forKey: .threshold)
        try c.encode(excess, forKey: .excess)
        try c.encode(summary, forKey: .summary)
        try c.encode(evidence, forKey: .evidence)
        try c.encodeIfPresent(severity, forKey: .severity)
    }
}
