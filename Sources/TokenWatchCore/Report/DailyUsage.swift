/// A team on a day of event time (UTC days since 1970-01-01). `team` is the event's team, `""` when it has
/// none, or ``TeamSpending/otherKey`` for a team beyond `report.max_teams`.
public struct TeamDay: Hashable, Sendable, Codable, Comparable {
    public var team: String
    public var day: Int64

    public init(team: String, day: Int64) {
        self.team = team
        self.day = day
    }

    public static func < (lhs: TeamDay, rhs: TeamDay) -> Bool {
        (lhs.day, lhs.team) < (rhs.day, rhs.team)
    }
}

/// Spending by team key and UTC day for the most recent ``daysKept`` days: what the daemon's checkpoint
/// keeps and `tokenwatch report --state-dir` reads. Bounded: at most `report.max_teams` keys and `other` a
/// day, and the oldest day goes when one more would be kept.
public struct DailyUsage: Sendable, Equatable, Codable {
    /// What the daemon keeps: a little over three months.
    public static let defaultDaysKept = 100

    public private(set) var days: [Int64: [String: JudgedUsage]] = [:]
    /// Not checkpointed: `report` of an events file keeps every day.
    public var daysKept = Self.defaultDaysKept

    private enum CodingKeys: String, CodingKey { case days }

    public init() {}

    mutating func add(_ usage: JudgedUsage, to teamDay: TeamDay) {
        days[teamDay.day, default: [:]][teamDay.team, default: JudgedUsage()].add(usage)
        while days.count > daysKept, let oldest = days.keys.min() { days[oldest] = nil }
    }

    /// Every team and day kept.
    public var byTeamDay: [TeamDay: JudgedUsage] {
        var all: [TeamDay: JudgedUsage] = [:]
        for (day, teams) in days {
            for (team, usage) in teams { all[TeamDay(team: team, day: day)] = usage }
        }
        return all
    }
}
