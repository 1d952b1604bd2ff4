/// Calls and tokens by progress judgement: one team's (or label's) spending on one day, or over any span.
public struct JudgedUsage: Sendable, Equatable, Codable {
    /// Calls, indexed by ``ProgressJudgement`` in `allCases` order (progress, churn, unknown).
    public var calls: [UInt64] = [0, 0, 0]
    /// Input plus output tokens, indexed the same way.
    public var tokens: [UInt64] = [0, 0, 0]

    public init() {}

    public mutating func add(_ judgement: ProgressJudgement, tokens count: Int64) {
        let index = judgement.index
        calls[index] += 1
        tokens[index] += UInt64(max(0, count))
    }

    public mutating func add(_ other: JudgedUsage) {
        for index in 0..<3 {
            calls[index] += other.calls[index]
            tokens[index] += other.tokens[index]
        }
    }

    public func calls(_ judgement: ProgressJudgement) -> UInt64 { calls[judgement.index] }
    public func tokens(_ judgement: ProgressJudgement) -> UInt64 { tokens[judgement.index] }
    public var totalCalls: UInt64 { calls.reduce(0, +) }
    public var totalTokens: UInt64 { tokens.reduce(0, +) }

    /// Churn tokens over the tokens of judged calls (progress plus churn); `nil` when none was judged.
    /// Unknown calls are left out: nothing tells whether they built on anything.
    public var churnShare: Double? {
        let judged = tokens(.progress) + tokens(.churn)
        return judged == 0 ? nil : Double(tokens(.churn)) / Double(judged)
    }
}

extension ProgressJudgement {
    var index: Int {
        switch self {
        case .progress: 0
        case .churn: 1
        case .unknown: 2
        }
    }
}

extension EventTime {
    /// The UTC day it falls on, in days since 1970-01-01.
    public var day: Int64 {
        let perDay: Int64 = 86_400_000
        return milliseconds >= 0 ? milliseconds / perDay : -((-milliseconds - 1) / perDay) - 1
    }
}

/// A team on a day of event time (UTC days since 1970-01-01). `team` is the event's team, `""` when it has
/// none, or ``TeamRegistry/otherKey`` for a team beyond `report.max_teams`.
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

/// What the calls of one worker's shards spent during one segment of a batch, by team and day, and a few of
/// the people seen per team: reported to the engine with the findings, so a shard writes nothing another reads.
struct UsageTally: Sendable {
    var usage: [TeamDay: JudgedUsage] = [:]
    /// Hashes of the real user ids, at most `report.min_team_size` per team: enough to tell a small team.
    var people: [String: Set<UInt64>] = [:]

    mutating func record(_ event: TokenEvent, user: UInt64, judgement: ProgressJudgement, peopleCap: Int) {
        let team = event.team ?? ""
        usage[TeamDay(team: team, day: event.time.day), default: JudgedUsage()]
            .add(judgement, tokens: event.totalTokens)
        if people[team, default: []].count < peopleCap { people[team, default: []].insert(user) }
    }

    mutating func removeAll() {
        usage.removeAll(keepingCapacity: true)
        people.removeAll(keepingCapacity: true)
    }
}

/// The teams the usage counters name, and how many people each has been seen with, bounded: the first
/// `report.max_teams` teams seen keep their name, later ones count as `other`; at most
/// `report.min_team_size` people are remembered per team, which is all a label needs.
public struct TeamRegistry: Sendable, Equatable, Codable {
    /// The key under which the teams beyond the limit are counted.
    public static let otherKey = "\u{0}other"
    public static let otherLabel = "other"
    public static let smallTeamsLabel = "small teams"
    public static let unassignedLabel = "unassigned"

    public private(set) var people: [String: Set<UInt64>] = [:]

    public init() {}

    /// The key a team is counted under: its own while there is room (or it is known), else ``otherKey``.
    mutating func admit(_ team: String, maxTeams: Int) -> String {
        if people[team] != nil { return team }
        guard people.count < maxTeams else { return Self.otherKey }
        people[team] = []
        return team
    }

    mutating func meet(_ users: Set<UInt64>, in team: String, cap: Int) {
        guard var known = people[team], known.count < cap else { return }
        for user in users where known.count < cap { known.insert(user) }
        people[team] = known
    }

    /// The label a team's key is shown under: `other` beyond the limit, `small teams` for a team seen with
    /// fewer than `minTeamSize` people, `unassigned` for events without a team, else the team's name.
    public func label(of key: String, minTeamSize: Int) -> String {
        if key == Self.otherKey { return Self.otherLabel }
        if (people[key]?.count ?? 0) < minTeamSize { return Self.smallTeamsLabel }
        return key.isEmpty ? Self.unassignedLabel : key
    }
}

/// Spending by team key and UTC day for the most recent ``maxDays`` days: what `tokenwatch report
/// --state-dir` reads from the daemon's checkpoint. Bounded: at most `report.max_teams` keys and `other` a day.
public struct DailyUsage: Sendable, Equatable, Codable {
    public static let maxDays = 100

    public private(set) var days: [Int64: [String: JudgedUsage]] = [:]

    public init() {}

    mutating func add(_ usage: JudgedUsage, to teamDay: TeamDay) {
        days[teamDay.day, default: [:]][teamDay.team, default: JudgedUsage()].add(usage)
        if days.count > Self.maxDays, let oldest = days.keys.min() { days[oldest] = nil }
    }

    /// Every team and day kept, as ``DetectionEngine/takeUsage()`` gives them.
    public var byTeamDay: [TeamDay: JudgedUsage] {
        var all: [TeamDay: JudgedUsage] = [:]
        for (day, teams) in days {
            for (team, usage) in teams { all[TeamDay(team: team, day: day)] = usage }
        }
        return all
    }
}
