import Foundation

/// The incidents Alertmanager should know about: every open one (sent again on each round, as its client
/// contract asks), and each resolved one until Alertmanager has accepted its resolution once.
///
/// Keyed by incident: a firing alert, its repeats and its resolution update one entry. When an incident's
/// severity changes, the labels change, which to Alertmanager is another alert: the old one is resolved.
package struct AlertmanagerState: Sendable, Codable, Equatable {
    package private(set) var open: [String: AlertmanagerAlert] = [:]
    /// Resolutions not yet accepted, by incident (the old label set of a severity change under its own key).
    package private(set) var resolving: [String: AlertmanagerAlert] = [:]

    package init() {}

    package mutating func apply(_ alert: ForwardedAlert) {
        if alert.isResolved {
            guard var entry = open.removeValue(forKey: alert.incident) else { return }
            entry.resolvedAt = alert.time
            entry.annotations["summary"] = alert.summary.isEmpty ? entry.annotations["summary"] : alert.summary
            resolving[alert.incident] = entry
            return
        }
        let previous = open[alert.incident]
        let entry = AlertmanagerAlert(alert, startsAt: previous?.startsAt ?? alert.time)
        if var previous, previous.labels != entry.labels {
            previous.resolvedAt = alert.time
            resolving[alert.incident + "/" + (previous.labels["severity"] ?? "")] = previous
        }
        open[alert.incident] = entry
    }

    /// Everything to send in one round.
    package var pending: [AlertmanagerAlert] {
        open.keys.sorted().compactMap { open[$0] } + resolving.keys.sorted().compactMap { resolving[$0] }
    }

    /// After Alertmanager accepted a round: the resolutions it carried are done.
    package mutating func delivered(_ sent: [AlertmanagerAlert]) {
        let sentResolutions = Set(sent.filter { $0.resolvedAt != nil }.map(\.labels))
        resolving = resolving.filter { !sentResolutions.contains($0.value.labels) }
    }

    /// After Alertmanager refused an alert for good: it is dropped, open or resolving (unless it changed
    /// meanwhile, when the new version is tried).
    package mutating func gaveUp(_ alert: AlertmanagerAlert) {
        open = open.filter { $0.value != alert }
        resolving = resolving.filter { $0.value != alert }
    }

    package var isEmpty: Bool { open.isEmpty && resolving.isEmpty }
}
