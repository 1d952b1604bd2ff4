/// The detectors TokenWatch ships. The raw value is the name in alerts, topics and the config file.
public enum DetectorName: String, Sendable, CaseIterable, Hashable, Comparable {
    case repetitivePrompts = "repetitive_prompts"
    case offHoursBurst = "offhours_burst"
    case agentLoop = "agent_loop"

    public static func < (lhs: DetectorName, rhs: DetectorName) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// Who an alert is about: a person, an agent, or both.
public struct AlertSubject: Sendable, Hashable {
    public var user: String?
    public var agent: String?

    public init(user: String? = nil, agent: String? = nil) {
        self.user = user
        self.agent = agent
    }
}

/// A figure in an alert's `observed` or `threshold` object.
public enum AlertFigure: Sendable, Equatable {
    case integer(Int64)
    case number(Double)
    case text(String)
    case list([String])
}

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
            && lhs.evidence == rhs.evidence && lhs.observed.elementsEqual(rhs.observed, by: { $0 == $1 })
            && lhs.threshold.elementsEqual(rhs.threshold, by: { $0 == $1 })
    }
}

/// A small ring of the most recent event ids, the evidence an alert cites.
struct EvidenceRing: Sendable {
    static let capacity = 5
    private(set) var ids: [String] = []

    mutating func record(_ id: String?) {
        guard let id else { return }
        if ids.count == Self.capacity { ids.removeFirst() }
        ids.append(id)
    }
}
