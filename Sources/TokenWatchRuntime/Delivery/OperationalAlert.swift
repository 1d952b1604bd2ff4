import Foundation
import TokenWatchCore

/// An alert about TokenWatch itself rather than about usage, on `alert.tokenwatch.<name>`: today a
/// configuration reload that was refused (as Falco raises a critical event when its reload fails).
///
/// Its time is the wall clock: it reports something that happened to the daemon, not in the event stream.
/// It has no `seq` and is not journaled: the alert sequence belongs to detector alerts, so that replicas fed
/// the same events number them alike whatever happens to one of them. Its topic's sequence frame counts
/// from 0 at each start of the daemon.
public struct OperationalAlert: Sendable {
    public var name: String
    public var severity: AlertSeverity
    public var summary: String
    public var details: [String]
    public var time: Date

    public init(name: String, severity: AlertSeverity, summary: String, details: [String], time: Date = Date()) {
        self.name = name
        self.severity = severity
        self.summary = summary
        self.details = details
        self.time = time
    }

    public var topic: String { "alert.tokenwatch.\(name)" }

    public var id: String {
        let millis = Int64(time.timeIntervalSince1970 * 1000)
        return StableID.make("\(name)|\(millis)|\(summary)")
    }

    public var jsonPayload: String {
        let millis = Int64(time.timeIntervalSince1970 * 1000)
        return AlertPayload(
            id: id, detector: "tokenwatch", severity: severity.rawValue, state: AlertState.firing.rawValue,
            subject: AlertSubject(), time: EventTime(milliseconds: millis).rfc3339, summary: summary,
            operational: AlertPayload.Operational(name: name, details: details)
        ).json
    }
}
