import TokenWatchCore

/// Scores alerts against the labels of injected incidents: which were found, how late, and which alerts
/// were false alarms.
public struct IncidentScore: Sendable {
    public struct DetectorScore: Sendable, Equatable {
        public var injected = 0
        public var found = 0
        /// Incidents (first firing alerts) that match a label.
        public var truePositives = 0
        /// Incidents that match no label of theirs but another detector's busywork on the same person at the
        /// same time (a night of padding repeats its prompts too): right about the person, not counted either
        /// way.
        public var onOtherBusywork = 0
        /// Incidents that match no injected busywork at all: false alarms.
        public var falsePositives = 0
        /// Event-time delay from each found label's start to its first matching alert, in seconds.
        public var delaysSeconds: [Int64] = []

        public var recall: Double { injected == 0 ? 1 : Double(found) / Double(injected) }
        public var precision: Double {
            truePositives + falsePositives == 0 ? 1 : Double(truePositives) / Double(truePositives + falsePositives)
        }
        public var medianDelaySeconds: Int64? {
            guard !delaysSeconds.isEmpty else { return nil }
            return delaysSeconds.sorted()[delaysSeconds.count / 2]
        }
    }

    public private(set) var detectors: [DetectorName: DetectorScore] = [:]
    public private(set) var missed: [TrafficGenerator.Label] = []
    public private(set) var falseAlarms: [AlertDigest] = []

    /// A firing alert counts for a label when it is the same detector and person and fires between the
    /// label's start and `slack` after its end.
    public init(labels: [TrafficGenerator.Label], alerts: [AlertDigest], slack: Duration = .seconds(3600)) {
        var firstFirings: [String: AlertDigest] = [:]
        for alert in alerts where alert.state == .firing {
            if let existing = firstFirings[alert.incident], existing.time <= alert.time { continue }
            firstFirings[alert.incident] = alert
        }
        let incidents = firstFirings.values.sorted { ($0.time, $0.incident) < ($1.time, $1.incident) }
        func overlaps(_ alert: AlertDigest, _ label: TrafficGenerator.Label) -> Bool {
            alert.user == label.user && alert.time >= label.start && alert.time <= label.end + slack
        }
        func matches(_ alert: AlertDigest, _ label: TrafficGenerator.Label) -> Bool {
            alert.detector == label.detector && overlaps(alert, label)
        }
        for detector in DetectorName.allCases { detectors[detector] = DetectorScore() }
        for label in labels {
            detectors[label.detector]!.injected += 1
            if let first = incidents.first(where: { matches($0, label) }) {
                detectors[label.detector]!.found += 1
                detectors[label.detector]!.delaysSeconds.append((first.time - label.start).milliseconds / 1000)
            } else {
                missed.append(label)
            }
        }
        for incident in incidents {
            if labels.contains(where: { matches(incident, $0) }) {
                detectors[incident.detector]!.truePositives += 1
            } else if labels.contains(where: { overlaps(incident, $0) }) {
                detectors[incident.detector]!.onOtherBusywork += 1
            } else {
                detectors[incident.detector]!.falsePositives += 1
                falseAlarms.append(incident)
            }
        }
    }
}
