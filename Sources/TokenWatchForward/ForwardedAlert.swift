import TokenWatchClient
import TokenWatchCore

/// An alert as the forwarder handles it: the payload exactly as the daemon published it, read once, and
/// the fields that route it (README, "Alert (out)").
package struct ForwardedAlert: Sendable {
    package var seq: UInt64
    package var topic: String
    /// The payload, read.
    package var alert: AlertPayload
    /// The payload as published: what a webhook is sent.
    package var payload: String
    /// The daemon journal's epoch the alert's `seq` counts in, when the daemon names one (``AlertSource``).
    package var epoch: String?

    /// An alert read by the codec; `nil` if it belongs to no incident (an operational alert).
    package init?(seq: UInt64, topic: String, payload: String, alert: AlertPayload) {
        guard alert.incident != nil else { return nil }
        self.seq = seq
        self.topic = topic
        self.alert = alert
        self.payload = payload
    }

    /// Reads a published payload; `nil` if it is not an alert of an incident.
    package init?(seq: UInt64, topic: String, payload: String) {
        guard let alert = try? AlertPayload(parsing: payload) else { return nil }
        self.init(seq: seq, topic: topic, payload: payload, alert: alert)
    }

    /// A live alert, as the listener read it.
    package init?(_ received: ReceivedAlert) {
        self.init(seq: received.seq, topic: received.topic, payload: received.payload, alert: received.alert)
    }

    /// A caught-up alert, as its journal line was read.
    package init?(_ journaled: JournaledAlert) {
        guard case .success(let alert) = journaled.alert else { return nil }
        let entry = journaled.entry
        self.init(seq: entry.seq, topic: entry.topic, payload: entry.payload, alert: alert)
    }

    package var id: String { alert.id }
    package var incident: String { alert.incident ?? "" }
    package var detector: String { alert.detector }
    package var severity: String { alert.severity }
    /// `firing` or `resolved`.
    package var state: String { alert.state }
    package var user: String? { alert.subject?.user }
    package var agent: String? { alert.subject?.agent }
    /// RFC 3339.
    package var time: String { alert.time }
    package var summary: String { alert.summary }
    package var evidence: [String] { alert.evidence }
    package var isResolved: Bool { alert.isResolved }

    /// The measured figures sorted by name (the last of a repeated name), each written as text
    /// (`"repeats": "8"`); a list or a figure that is not finite is empty text.
    package var observed: [(String, String)] {
        let figures = Dictionary(alert.observed, uniquingKeysWith: { _, last in last })
        return figures.sorted { $0.key < $1.key }.map { name, figure in
            switch figure {
            case .integer(let value): (name, String(value))
            case .number(let value): (name, value.isFinite ? String(value) : "")
            case .text(let value): (name, value)
            case .list: (name, "")
            }
        }
    }
}
