/// The heavy normal hours of the people already known, per team and for the whole organisation: the prior
/// for a newcomer, whose first evening is compared with what their colleagues usually do rather than with a
/// fixed constant that agent-era volumes outgrew.
///
/// Each person's entry is their trusted baseline (their `baseline_rank`-th busiest hour, once warmed up),
/// reported at most once per day of theirs. The prior is the median of their team's entries when the team
/// has at least ``minimumMembers``, else of the organisation's, else the configured default. Bounded: 64
/// people per team, 512 for the organisation (the newest replace the oldest), 4 096 teams.
///
/// Shared by every shard of the engine, so detection never reads it while shards run: they read the
/// ``PopulationPrior`` worked out when the watermark entered its current hour of event time, and report new
/// baselines, which the engine records in arrival order after the shards are done. The prior therefore
/// depends only on the events and their order, never on how many threads detect them or how they were
/// batched, and it changes at most once per hour, as a prior should.
struct PopulationBaselines: Sendable, Codable {
    private var teams: [String: MemberBaselines] = [:]
    private var organisation = MemberBaselines(capacity: 512)
    /// Teams whose entries changed since the prior was last worked out.
    private var changedTeams: Set<String> = []
    /// What detection reads until the watermark enters a later hour.
    private(set) var prior = PopulationPrior()

    static let minimumMembers = 3
    static let maxTeams = 4096

    private enum CodingKeys: String, CodingKey { case teams, organisation, changedTeams, prior }

    init() {}

    /// Also reads the population of a checkpoint written before the engine's shards (inside
    /// `offhours_burst`, without a prior): every entry then counts as changed, so the prior is worked out
    /// at the next hour.
    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        teams = try c.decode([String: MemberBaselines].self, forKey: .teams)
        organisation = try c.decode(MemberBaselines.self, forKey: .organisation)
        if let prior = try c.decodeIfPresent(PopulationPrior.self, forKey: .prior) {
            self.prior = prior
            changedTeams = try c.decode(Set<String>.self, forKey: .changedTeams)
        } else {
            organisation.markChanged()
            for team in teams.keys { teams[team]!.markChanged() }
            changedTeams = Set(teams.keys)
        }
    }

    mutating func record(_ report: BaselineReport) {
        organisation.record(user: report.user, baseline: report.baseline)
        guard let team = report.team else { return }
        if teams[team] == nil {
            guard teams.count < Self.maxTeams else { return }
            teams[team] = MemberBaselines(capacity: 64)
        }
        teams[team]!.record(user: report.user, baseline: report.baseline)
        changedTeams.insert(team)
    }

    /// Works the medians out again when `hour` (of the watermark) is later than the prior's.
    mutating func refresh(hour: Int64) {
        guard hour > prior.hour else { return }
        prior.hour = hour
        if organisation.changed { prior.organisation = organisation.median(atLeast: Self.minimumMembers) }
        for team in changedTeams {
            prior.teams[team] = teams[team]?.median(atLeast: Self.minimumMembers)
        }
        changedTeams.removeAll(keepingCapacity: true)
    }
}

/// The population's medians as of one hour of event time: what shards read.
struct PopulationPrior: Sendable, Codable {
    /// The hour of event time (hours since 1970) it was worked out for.
    var hour: Int64 = .min
    var teams: [String: Int64] = [:]
    var organisation: Int64?

    /// The baseline to assume for someone of `team` whose own is not yet trusted.
    func baseline(team: String?, otherwise fallback: Int64) -> Int64 {
        if let team, let median = teams[team] { return median }
        return organisation ?? fallback
    }
}

/// A person's trusted baseline, reported by a shard for the population.
struct BaselineReport: Sendable {
    var user: String
    var team: String?
    var baseline: Int64
}

/// People's baselines in a ring.
struct MemberBaselines: Sendable, Codable {
    private var users: [String] = []
    private var values: [Int64] = []
    private var positions: [String: Int] = [:]
    private var next = 0
    private(set) var changed = false
    let capacity: Int

    init(capacity: Int) { self.capacity = capacity }

    mutating func markChanged() { changed = true }

    mutating func record(user: String, baseline: Int64) {
        if let index = positions[user] {
            guard values[index] != baseline else { return }
            values[index] = baseline
        } else if users.count < capacity {
            positions[user] = users.count
            users.append(user)
            values.append(baseline)
        } else {
            positions[users[next]] = nil
            positions[user] = next
            users[next] = user
            values[next] = baseline
            next = (next + 1) % capacity
        }
        changed = true
    }

    /// The median entry, or `nil` with fewer than `count` entries.
    mutating func median(atLeast count: Int) -> Int64? {
        changed = false
        guard values.count >= count else { return nil }
        let sorted = values.sorted()
        return sorted[sorted.count / 2]
    }
}
