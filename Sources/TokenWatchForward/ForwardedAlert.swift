import Foundation
import TokenWatchCore

/// An alert as the forwarder handles it: the payload exactly as the daemon published it, and the fields
/// that route it (README, "Alert (out)").
package struct ForwardedAlert: Sendable {
    package var seq: UInt64
    package var topic: String
    package var id: String
    package var incident: String
    package var detector: String
    package var severity: String
    /// `firing` or `resolved`.
    package var state: String
    package var user: String?
    package var agent: String?
    /// RFC 3339.
    package var time: String
    package var summary: String
    /// The measured figures, each written as text (`"repeats": "8"`).
    package var observed: [(String, String)]
    package var evidence: [String]
    package var payload: String
    /// The daemon journal's epoch the alert's `seq` counts in, when the daemon names one (``AlertSource``).
    package var epoch: String?

    package var isResolved: Bool { state == "resolved" }

    /// Reads a published payload; `nil` if it is not an alert.
    package init?(seq: UInt64, topic: String, payload: String) {
        guard let object = try? JSONSerialization.jsonObject(with: Data(payload.utf8)) as? [String: Any],
            let id = object["id"] as? String, let incident = object["incident"] as? String,
            let detector = object["detector"] as? String, let state = object["state"] as? String,
            let time = object["ts"] as? String
        else { return nil }
        let subject = object["subject"] as? [String: Any] ?? [:]
        self.seq = seq
        self.topic = topic
        self.id = id
        self.incident = incident
        self.detector = detector
        self.severity = object["severity"] as? String ?? ""
        self.state = state
        self.user = subject["user"] as? String
        self.agent = subject["agent"] as? String
        self.time = time
        self.summary = object["summary"] as? String ?? ""
        let observed = object["observed"] as? [String: Any] ?? [:]
        self.observed = observed.keys.sorted().map { key in (key, Self.text(observed[key])) }
        self.evidence = object["evidence"] as? [String] ?? []
        self.payload = payload
    }

    package init?(_ entry: JournalEntry) {
        self.init(seq: entry.seq, topic: entry.topic, payload: entry.payload)
    }

    private static func text(_ value: Any?) -> String {
        switch value {
        case let number as NSNumber: return number.stringValue
        case let text as String: return text
        default: return ""
        }
    }
}
