/// What each team's calls spent, by progress judgement: counted by the engine in event order, after the
/// shards have judged each call, so that neither the batches events arrive in nor the number of detection
/// threads changes a figure or a label.
///
/// Teams are admitted in the order of their first call, at most `report.max_teams`; later teams count as
/// `other`. A team is counted under its name from the call of its `report.min_team_size`-th distinct person
/// on; its calls before that count as `small teams`, so that no label narrows down to a person. People are
/// remembered as hashes of their real ids, at most that many per team and only in memory: a checkpoint keeps
/// how many were seen, a lower bound that a restart cannot inflate.
public struct TeamSpending: Sendable {
    /// The key under which the teams beyond the limit are counted.
    public static let otherKey = "\u{0}other"
    public static let otherLabel = "other"
    public static let smallTeamsLabel = "small teams"
    public static let unassignedLabel = "unassigned"

    struct Team: Sendable, Equatable {
        /// The event's team, `""` for calls without one.
        var name: String
        /// Its ``SubjectHash``, as events carry it (``EventKeys``).
        var hash: UInt64
        /// People seen before the last restart, from the checkpoint.
        var restoredSize = 0
        /// Hashes of the people seen since, at most `report.min_team_size`: all a label needs.
        var members: [UInt64] = []
        var size: Int { max(restoredSize, members.count) }
    }

    /// Every admitted team, by id (order of first call).
    private(set) var teams: [Team] = []
    /// Team ids by the ``SubjectHash`` of their name: a flat table whose hash is the key's own, so that finding
    /// an event's team costs a probe, not a string hashed again.
    private var ids = IncrementalHashIndex()
    /// Spending by counter label since the last ``takeByLabel()``: slot 0 `other`, 1 `small teams`, 2 + id
    /// the team under its name; and the slots touched, so that taking costs what was counted.
    private var pending = [JudgedUsage(), JudgedUsage()]
    private var touched: [Int] = []
    /// The latest day's spending by team (slot 0 `other`, 1 + id), moved to ``closedDays`` when another day
    /// begins: one array slot per call rather than a dictionary by day and name.
    private var currentDay: Int64?
    private var today = [JudgedUsage()]
    private var closedDays = DailyUsage()

    public init() {}

    /// The id of the team whose name has `hash`, if admitted.
    func team(withHash hash: UInt64) -> Int? {
        ids.find(hash: Int(truncatingIfNeeded: hash)) { teams[Int($0)].hash == hash }.map(Int.init)
    }

    /// Counts one call of `user` (the hash of the real id) on `day` under the team with id `id` (``admit(_:
    /// hash:maxTeams:)``), or as `other` when `nil`.
    mutating func record(
        team id: Int?, user: UInt64, day: Int64, tokens: Int64, judgement: ProgressJudgement,
        settings: ReportConfiguration
    ) {
        var slot = 0
        if let id {
            if teams[id].members.count < settings.minTeamSize && !teams[id].members.contains(user) {
                teams[id].members.append(user)
            }
            slot = teams[id].size >= settings.minTeamSize ? 2 + id : 1
        }
        if pending[slot].totalCalls == 0 { touched.append(slot) }
        pending[slot].add(judgement, tokens: tokens)
        if day != currentDay { closeDay(startingAnother: day) }
        today[id.map { $0 + 1 } ?? 0].add(judgement, tokens: tokens)
    }

    /// The team's id: its own, a new one while there is room, or `nil` (counted as `other`). `hash` is the
    /// ``SubjectHash`` of `name`.
    mutating func admit(_ name: String, hash: UInt64, maxTeams: Int) -> Int? {
        if let id = team(withHash: hash) { return id }
        guard teams.count < maxTeams else { return nil }
        ids.insert(hash: Int(truncatingIfNeeded: hash), position: Int32(teams.count))
        teams.append(Team(name: name, hash: hash))
        pending.append(JudgedUsage())
        today.append(JudgedUsage())
        return teams.count - 1
    }

    private mutating func closeDay(startingAnother day: Int64?) {
        if let currentDay {
            for slot in today.indices where today[slot].totalCalls > 0 {
                let key = slot == 0 ? Self.otherKey : teams[slot - 1].name
                closedDays.add(today[slot], to: TeamDay(team: key, day: currentDay))
                today[slot] = JudgedUsage()
            }
        }
        currentDay = day
    }

    /// The spending since the last take, by the label each call was counted under, and forgets it: what the
    /// daemon adds to `tokenwatch_tokens_total` and `tokenwatch_calls_total` after every batch.
    public mutating func takeByLabel() -> [String: JudgedUsage] {
        var taken: [String: JudgedUsage] = [:]
        for slot in touched {
            let label =
                switch slot {
                case 0: Self.otherLabel
                case 1: Self.smallTeamsLabel
                default: Self.label(ofNamed: teams[slot - 2].name)
                }
            taken[label, default: JudgedUsage()].add(pending[slot])
            pending[slot] = JudgedUsage()
        }
        touched.removeAll(keepingCapacity: true)
        return taken
    }

    /// Spending by team key and day, the latest day included.
    public var daily: DailyUsage {
        var copy = self
        copy.closeDay(startingAnother: nil)
        return copy.closedDays
    }

    /// How many days ``daily`` keeps (``DailyUsage/defaultDaysKept``; `report` of a file keeps every day).
    public var daysKept: Int {
        get { closedDays.daysKept }
        set { closedDays.daysKept = newValue }
    }

    /// The label a team key is shown under in a report, by what is known now: `other` beyond the limit,
    /// `small teams` for a team seen with fewer than `minTeamSize` people, `unassigned` for calls without a
    /// team, else the team's name.
    public func label(of key: String, minTeamSize: Int) -> String {
        guard key != Self.otherKey, let id = team(withHash: SubjectHash.hash(key)) else { return Self.otherLabel }
        return teams[id].size < minTeamSize ? Self.smallTeamsLabel : Self.label(ofNamed: key)
    }

    private static func label(ofNamed name: String) -> String { name.isEmpty ? unassignedLabel : name }

    /// How many people a team has been seen with (a lower bound across restarts); `nil` when not admitted.
    public func size(of team: String) -> Int? {
        self.team(withHash: SubjectHash.hash(team)).map { teams[$0].size }
    }
}

/// In a checkpoint: each team's name and how many people it was seen with (never who), and the daily
/// spending. What was counted but not yet taken for the counters is not kept: the counters restart anyway.
extension TeamSpending: Codable {
    private enum CodingKeys: String, CodingKey { case teams, daily }

    private struct SavedTeam: Codable {
        var name: String
        var people: Int
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init()
        for saved in try c.decode([SavedTeam].self, forKey: .teams) {
            guard let id = admit(saved.name, hash: SubjectHash.hash(saved.name), maxTeams: .max) else { continue }
            teams[id].restoredSize = saved.people
        }
        closedDays = try c.decode(DailyUsage.self, forKey: .daily)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(teams.map { SavedTeam(name: $0.name, people: $0.size) }, forKey: .teams)
        try c.encode(daily, forKey: .daily)
    }
}

extension TeamSpending: Equatable {
    public static func == (lhs: TeamSpending, rhs: TeamSpending) -> Bool {
        lhs.teams.map(\.name) == rhs.teams.map(\.name) && lhs.teams.map(\.size) == rhs.teams.map(\.size)
            && lhs.daily == rhs.daily
    }
}
