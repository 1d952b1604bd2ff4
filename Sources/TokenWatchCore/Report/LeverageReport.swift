/// Of the tokens each team spends, how much builds on itself and how much is churn: per team and UTC day,
/// calls and tokens by progress judgement, the churn share, and alerts by detector (counts only).
///
/// Teams only, never people: a team seen with fewer than `report.min_team_size` people is shown as
/// `small teams`, teams beyond `report.max_teams` as `other`, and no user id, agent name or prompt text is
/// part of it (docs/PRIVACY.md).
public struct LeverageReport: Sendable, Equatable {
    /// One team on one day.
    public struct Row: Sendable, Equatable {
        public var team: String
        /// UTC days since 1970-01-01.
        public var day: Int64
        public var usage: JudgedUsage
        /// Incidents that began that day, by detector.
        public var alerts: [DetectorName: Int]
    }

    /// Every day with calls, in order.
    public var days: [Int64]
    /// The team labels: named teams by name, then `unassigned`, `small teams` and `other` when present.
    public var teams: [String]
    /// One row per team and day with calls or incidents, by team (in ``teams`` order) then day.
    public var rows: [Row]
    public var settings: ReportConfiguration
    /// Incidents by detector that could not be placed on a team (read from the alert journal, whose alerts
    /// name a person but not a team), over every day.
    public var unplacedAlerts: [DetectorName: Int] = [:]

    /// A team's calls and tokens over every day.
    public func total(of team: String) -> JudgedUsage {
        rows.filter { $0.team == team }.reduce(into: JudgedUsage()) { $0.add($1.usage) }
    }

    /// Every team's calls and tokens together.
    public var total: JudgedUsage { rows.reduce(into: JudgedUsage()) { $0.add($1.usage) } }

    /// A team's incidents by detector over every day.
    public func alerts(of team: String) -> [DetectorName: Int] {
        rows.filter { $0.team == team }.reduce(into: [:]) { sums, row in sums.merge(row.alerts, uniquingKeysWith: +) }
    }

    /// `2026-11-02` for a day number.
    public static func date(_ day: Int64) -> String {
        let (year, month, dayOfMonth) = CivilDate.fromDays(day)
        func pad(_ value: Int, _ width: Int) -> String {
            String(repeating: "0", count: max(0, width - String(value).count)) + String(value)
        }
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(dayOfMonth, 2))"
    }

    static let mergedLabels = [TeamSpending.unassignedLabel, TeamSpending.smallTeamsLabel, TeamSpending.otherLabel]
}

/// Builds a ``LeverageReport`` from what detection counted (``TeamSpending/daily``) and the alerts
/// it raised. It learns each user's team from the events to place alerts, and forgets it: only team labels
/// reach the report.
public struct LeverageReportBuilder: Sendable {
    private let settings: ReportConfiguration
    private var usage: [TeamDay: JudgedUsage] = [:]
    /// The team key of each alert subject (the pseudonym when pseudonymising), from their latest event.
    private var teamOfSubject: [String: String] = [:]
    private var pseudonymizer: Pseudonymizer?
    private var incidents: Set<String> = []
    private var alerts: [TeamDay: [DetectorName: Int]] = [:]
    private var unplaced: [DetectorName: Int] = [:]

    public init(configuration: TokenWatchConfiguration) {
        settings = configuration.report
        pseudonymizer = DetectionRules(configuration).pseudonymKey.map { Pseudonymizer(key: $0) }
    }

    /// Notes the team of the event's user; call it before the event is detected.
    public mutating func observe(_ event: TokenEvent) {
        let subject = pseudonymizer?.pseudonym(for: event.user) ?? event.user
        teamOfSubject[subject] = event.team ?? ""
    }

    /// Counts an incident whose team is not known (from the journal), once.
    public mutating func addUnplaced(detector: DetectorName, incident: String) {
        guard incidents.insert(incident).inserted else { return }
        unplaced[detector, default: 0] += 1
    }

    public mutating func add(_ usage: [TeamDay: JudgedUsage]) {
        for (teamDay, counts) in usage { self.usage[teamDay, default: JudgedUsage()].add(counts) }
    }

    /// Counts an incident once, on the day it first fired, for its subject's team.
    public mutating func add(_ alert: Alert) {
        guard alert.state == .firing, incidents.insert(alert.incident).inserted else { return }
        let team = alert.subject.user.flatMap { teamOfSubject[$0] } ?? ""
        alerts[TeamDay(team: team, day: alert.time.day), default: [:]][alert.detector, default: 0] += 1
    }

    /// The report under the teams detection knew at the end (``DetectionEngine/spending``): a team is named
    /// when it was seen with `report.min_team_size` people by then, for all its days.
    public func build(teams: TeamSpending) -> LeverageReport {
        func label(_ key: String) -> String { teams.label(of: key, minTeamSize: settings.minTeamSize) }
        var rows: [TeamDay: LeverageReport.Row] = [:]
        for (teamDay, counts) in usage {
            let key = TeamDay(team: label(teamDay.team), day: teamDay.day)
            rows[key, default: .init(team: key.team, day: key.day, usage: .init(), alerts: [:])].usage.add(counts)
        }
        for (teamDay, counts) in alerts {
            let key = TeamDay(team: label(teamDay.team), day: teamDay.day)
            rows[key, default: .init(team: key.team, day: key.day, usage: .init(), alerts: [:])]
                .alerts.merge(counts, uniquingKeysWith: +)
        }
        let labels = Set(rows.keys.map(\.team))
        let named = labels.subtracting(LeverageReport.mergedLabels).sorted()
        let order = named + LeverageReport.mergedLabels.filter(labels.contains)
        let position = Dictionary(uniqueKeysWithValues: order.enumerated().map { ($1, $0) })
        return LeverageReport(
            days: Set(rows.keys.map(\.day)).sorted(), teams: order,
            rows: rows.values.sorted { (position[$0.team]!, $0.day) < (position[$1.team]!, $1.day) },
            settings: settings, unplacedAlerts: unplaced)
    }
}
