/// Turns the detectors' stream of findings into incidents: one firing alert when a pattern starts, repeats
/// suppressed (and counted) for the cooldown, a repeat after each cooldown while it goes on, and one resolved
/// alert once the pattern has not been seen for `resolveAfter` of event time.
///
/// Everything is keyed on event time and decided per event, so the same events give the same alerts with
/// the same ids however they are batched.
public struct AlertLifecycle: Sendable, Codable {
    public var configuration = AlertsConfiguration()
    private var incidents: [IncidentKey: Incident] = [:]
    /// The earliest time at which some open incident could resolve; spares a scan per event.
    private var nextDeadline = EventTime(milliseconds: .max)

    private enum CodingKeys: String, CodingKey { case incidents, nextDeadline }

    public init(configuration: AlertsConfiguration) {
        self.configuration = configuration
    }

    /// Incidents currently firing.
    public var openIncidents: Int { incidents.count }

    /// Records a finding that arrived when the stream's watermark was `now`; appends an alert (without its
    /// `seq`) when one is due.
    ///
    /// An incident resolves once the watermark has moved `resolveAfter` past both the pattern's last event time
    /// and its arrival: a backlog that arrives late (a gateway flushing its buffer after a network break) keeps
    /// its incident open while it streams in, instead of resolving at once and firing again on the next event.
    /// For events in time order the two are the same.
    public mutating func observe(_ finding: Finding, arrivedAt now: EventTime, into alerts: inout [Alert]) {
        let key = IncidentKey(detector: finding.detector, key: finding.key)
        let severity: AlertSeverity =
            finding.severity ?? (finding.excess >= configuration.criticalFactor ? .critical : .warning)
        // Changed in place: copied out and stored back, the incident (its finding and strings) would be retained
        // and released again, and the key hashed twice, for every finding, nearly all of them suppressed.
        guard let index = incidents.index(forKey: key) else {
            let incidentID = StableID.make("\(finding.detector.rawValue)|\(finding.key)|\(finding.time.milliseconds)")
            let incident = Incident(
                id: incidentID, start: finding.windowStart, last: finding, severity: severity,
                lastEmitted: finding.time, emissions: 1, suppressed: 0, lastArrival: now)
            incidents[key] = incident
            nextDeadline = min(nextDeadline, incident.clearedAfter + configuration.resolveAfter)
            alerts.append(incident.alert(state: .firing, ordinal: 0, time: finding.time))
            return
        }
        incidents.values[index].record(finding, severity: severity, arrivedAt: now, configuration, into: &alerts)
    }

    /// Resolves the incidents whose pattern has not been seen since `now - resolveAfter`, in a fixed order.
    public mutating func resolveCleared(now: EventTime, into alerts: inout [Alert]) {
        guard now >= nextDeadline else { return }
        let cleared = incidents.filter { now >= $0.value.clearedAfter + configuration.resolveAfter }
            .sorted {
                ($0.value.clearedAfter, $0.key.detector, $0.key.key) < (
                    $1.value.clearedAfter, $1.key.detector, $1.key.key
                )
            }
        for (key, incident) in cleared {
            incidents[key] = nil
            alerts.append(
                incident.alert(
                    state: .resolved, ordinal: incident.emissions,
                    time: incident.clearedAfter + configuration.resolveAfter))
        }
        nextDeadline =
            incidents.values.map { $0.clearedAfter + configuration.resolveAfter }.min()
            ?? EventTime(milliseconds: .max)
    }
}

private struct IncidentKey: Hashable, Sendable, Codable {
    var detector: DetectorName
    var key: String
}

private struct Incident: Sendable, Codable {
    var id: String
    var start: EventTime
    var last: Finding
    var severity: AlertSeverity
    var lastEmitted: EventTime
    var emissions: Int
    var suppressed: Int
    /// The watermark when the last finding arrived (absent in older checkpoints: its event time).
    var lastArrival: EventTime?

    /// Takes `finding` as the incident's latest; appends a repeat of the firing alert when the cooldown has passed.
    mutating func record(
        _ finding: Finding, severity: AlertSeverity, arrivedAt now: EventTime, _ configuration: AlertsConfiguration,
        into alerts: inout [Alert]
    ) {
        last = finding
        lastArrival = now
        // A pattern that grows worse is not a new incident: its severity rises with the next repeat, after the
        // cooldown, so one incident stays one firing alert.
        if finding.time - lastEmitted >= configuration.cooldown {
            self.severity = max(self.severity, severity)
            alerts.append(alert(state: .firing, ordinal: emissions, time: finding.time))
            emissions += 1
            lastEmitted = finding.time
            suppressed = 0
        } else {
            suppressed += 1
        }
    }

    /// Where the quiet period before resolution starts: the later of the last finding's event time and its
    /// arrival.
    var clearedAfter: EventTime { max(last.time, lastArrival ?? last.time) }

    func alert(state: AlertState, ordinal: Int, time: EventTime) -> Alert {
        let details = last.details
        let summary = state == .firing ? details.summary : "cleared: \(details.summary)"
        return Alert(
            id: StableID.make("\(id)|\(state.rawValue)|\(ordinal)"),
            incident: id, seq: 0, detector: last.detector, severity: severity, state: state,
            subject: last.subject, time: time, windowStart: min(start, last.windowStart), windowEnd: last.time,
            observed: details.observed, threshold: details.threshold, summary: summary, evidence: details.evidence,
            suppressed: suppressed)
    }
}
