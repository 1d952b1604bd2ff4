import Foundation
import TokenWatchCore

/// One alert in Alertmanager's API (`POST /api/v2/alerts`): labels identify it, annotations describe it.
package struct AlertmanagerAlert: Sendable, Equatable, Codable {
    package var labels: [String: String]
    package var annotations: [String: String]
    package var startsAt: String
    /// Absent while open; set when the incident resolved.
    package var resolvedAt: String?

    /// `TokenWatchRepetitivePrompts` for `repetitive_prompts`: Alertmanager's convention for alert names.
    package static func alertName(_ detector: String) -> String {
        "TokenWatch" + detector.split(separator: "_").map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
    }

    /// The labels route and group (`detector`, `severity`, `user`, `agent`; `incident` keeps two incidents of
    /// one person apart). The annotations carry what a person reads: the summary, the figures, the evidence ids.
    ///
    /// `user` and `agent` are folded as the daemon folds ids (``IdentityNormalization/label(_:)``): control,
    /// bidirectional and zero-width characters removed, then NFKC, lower case, trimmed. A label is what a silence
    /// matches and what a notification shows, so one that looks like `mallory` is `mallory`.
    package init(_ alert: ForwardedAlert, startsAt: String) {
        var labels = [
            "alertname": Self.alertName(alert.detector), "detector": alert.detector, "incident": alert.incident,
        ]
        if !alert.severity.isEmpty, !alert.isResolved { labels["severity"] = alert.severity }
        for (name, identity) in [("user", alert.user), ("agent", alert.agent)] {
            guard let identity else { continue }
            let folded = IdentityNormalization.label(identity)
            if !folded.isEmpty { labels[name] = folded }
        }
        self.labels = labels
        var annotations = ["summary": alert.summary, "tokenwatch_alert_id": alert.id]
        if !alert.observed.isEmpty {
            annotations["observed"] = alert.observed.map { "\($0.0)=\($0.1)" }.joined(separator: " ")
        }
        if !alert.evidence.isEmpty { annotations["evidence"] = alert.evidence.joined(separator: ",") }
        self.annotations = annotations
        self.startsAt = startsAt
        self.resolvedAt = nil
    }

    /// The API's JSON object, with times Alertmanager accepts. Event time may run ahead of the wall clock
    /// (up to `events.max_future`), so `startsAt` is the incident's first alert but never later than `now`.
    /// `endsAt` is `openUntil` while open: a point far enough ahead that the next re-send arrives before
    /// Alertmanager would expire the alert. Once resolved it is the resolution's event time, but never later
    /// than `now`, so that the resolution takes effect when it is sent. Either way it is at least a millisecond
    /// after `startsAt`: Alertmanager refuses an alert that ends before it starts.
    package func json(openUntil: String, now: Date) -> [String: Any] {
        let starts = AlertmanagerClock.date(startsAt).map { min($0, now) } ?? now
        var ends = AlertmanagerClock.date(openUntil) ?? now
        if let resolvedAt { ends = AlertmanagerClock.date(resolvedAt).map { min($0, now) } ?? now }
        ends = max(ends, starts.addingTimeInterval(0.001))
        return [
            "labels": labels, "annotations": annotations, "startsAt": AlertmanagerClock.text(starts),
            "endsAt": AlertmanagerClock.text(ends),
        ]
    }
}

/// RFC 3339 with milliseconds, as the daemon writes times and Alertmanager reads them.
enum AlertmanagerClock {
    static func text(_ date: Date) -> String {
        formatter().string(from: date)
    }

    static func date(_ text: String) -> Date? {
        formatter().date(from: text)
    }

    private static func formatter() -> ISO8601DateFormatter {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter
    }
}
