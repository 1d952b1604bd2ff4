/// One detector's statement that its condition holds at an event: the raw material of alerts.
///
/// Detectors emit a finding for every event at which the condition holds; ``AlertLifecycle`` turns the
/// stream of findings into one firing and one resolved alert per incident.
///
/// What only an alert shows (figures, summary, evidence: ``FindingDetails``) is worked out when an alert is
/// made, not when the finding is. While a pattern goes on, every event of it is a finding, and nearly all of
/// them are suppressed repeats of an open incident: on a generated day of 30 000 people, three events in four
/// made a finding and one finding in 47 an alert, and writing every finding's text took nearly a third of the
/// detection stage's instructions (measured in the commit that made the details lazy). The finding keeps a
/// closure over the values its text is made from instead, so an alert made later from it (a repeat, or the
/// resolution) says what it would have.
public struct Finding: Sendable {
    public var detector: DetectorName
    /// Identifies the incident within the detector: the same key while the same pattern goes on.
    public var key: String
    public var subject: AlertSubject
    /// The event time at which the condition was seen to hold.
    public var time: EventTime
    public var windowStart: EventTime
    /// How far over its limit the pattern is (observed ÷ limit, ≥ 1): sets the severity.
    public var excess: Double
    /// The severity the detector decided from what it saw, or `nil` to let the excess decide
    /// (`alerts.critical_factor`).
    public var severity: AlertSeverity?
    private var describe: @Sendable () -> FindingDetails

    /// A finding whose details are worked out by `details` when an alert needs them; `details` must capture
    /// values, not state that changes.
    public init(
        detector: DetectorName, key: String, subject: AlertSubject, time: EventTime, windowStart: EventTime,
        excess: Double, details: @escaping @Sendable () -> FindingDetails
    ) {
        self.detector = detector
        self.key = key
        self.subject = subject
        self.time = time
        self.windowStart = windowStart
        self.excess = excess
        self.describe = details
    }

    /// A finding with its details given.
    public init(
        detector: DetectorName, key: String, subject: AlertSubject, time: EventTime, windowStart: EventTime,
        observed: [(String, AlertFigure)], threshold: [(String, AlertFigure)], excess: Double, summary: String,
        evidence: [String]
    ) {
        let details = FindingDetails(observed: observed, threshold: threshold, summary: summary, evidence: evidence)
        self.init(
            detector: detector, key: key, subject: subject, time: time, windowStart: windowStart, excess: excess,
            details: { details })
    }

    /// Figures, summary and evidence, worked out on each call.
    public var details: FindingDetails { describe() }
    public var observed: [(String, AlertFigure)] { details.observed }
    public var threshold: [(String, AlertFigure)] { details.threshold }
    public var summary: String { details.summary }
    public var evidence: [String] { details.evidence }
}

/// What a finding tells in its alert besides its subject and times.
public struct FindingDetails: Sendable, Equatable {
    public var observed: [(String, AlertFigure)]
    public var threshold: [(String, AlertFigure)]
    public var summary: String
    public var evidence: [String]

    public init(
        observed: [(String, AlertFigure)], threshold: [(String, AlertFigure)], summary: String, evidence: [String]
    ) {
        self.observed = observed
        self.threshold = threshold
        self.summary = summary
        self.evidence = evidence
    }

    public static func == (lhs: FindingDetails, rhs: FindingDetails) -> Bool {
        lhs.summary == rhs.summary && lhs.evidence == rhs.evidence
            && lhs.observed.elementsEqual(rhs.observed, by: { $0 == $1 })
            && lhs.threshold.elementsEqual(rhs.threshold, by: { $0 == $1 })
    }
}

extension Finding: Equatable {
    public static func == (lhs: Finding, rhs: Finding) -> Bool {
        lhs.detector == rhs.detector && lhs.key == rhs.key && lhs.subject == rhs.subject && lhs.time == rhs.time
            && lhs.windowStart == rhs.windowStart && lhs.excess == rhs.excess && lhs.severity == rhs.severity
            && lhs.details == rhs.details
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
        let details = details
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(detector, forKey: .detector)
        try c.encode(key, forKey: .key)
        try c.encode(subject, forKey: .subject)
        try c.encode(time, forKey: .time)
        try c.encode(windowStart, forKey: .windowStart)
        try c.encode(details.observed.map { NamedFigure(name: $0.0, value: $0.1) }, forKey: .observed)
        try c.encode(details.threshold.map { NamedFigure(name: $0.0, value: $0.1) }, forKey: .threshold)
        try c.encode(excess, forKey: .excess)
        try c.encode(details.summary, forKey: .summary)
        try c.encode(details.evidence, forKey: .evidence)
        try c.encodeIfPresent(severity, forKey: .severity)
    }
}
