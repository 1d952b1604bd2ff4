/// The heavy normal hours of the people already known, per team and for the whole organisation: the prior
/// for a newcomer, whose first evening is compared with what their colleagues usually do rather than with a
/// fixed constant that agent-era volumes outgrew.
///
/// Each person's entry is their trusted baseline (their `baseline_rank`-th busiest hour, once warmed up),
/// refreshed at most once per hour of theirs. The prior is the median of their team's entries when the team
/// has at least ``minimumMembers``, else of the organisation's, else the configured default. Bounded: 64
/// people per team, 512 for the organisation (the newest replace the oldest), 4 096 teams.
struct PopulationBaselines: Sendable, Codable {
    private var teams: [String: MemberBaselines] = [:]
    private var organisation = MemberBaselines(capacity: 512)

    static let minimumMembers = 3
    static let maxTeams = 4096

    mutating func record(user: String, team: String?, baseline: Int64) {
        organisation.record(user: user, baseline: baseline)
        guard let team else { return }
        if teams[team] == nil {
            guard teams.count < Self.maxTeams else { return }
            teams[team] = MemberBaselines(capacity: 64)
        }
        teams[team]!.record(user: user, baseline: baseline)
    }

    /// The baseline to assume for someone of `team` whose own is not yet trusted.
    mutating func prior(team: String?, otherwise fallback: Int64) -> Int64 {
        if let team, let median = teams[team]?.median(atLeast: Self.minimumMembers) { return median }
        return organisation.median(atLeast: Self.minimumMembers) ?? fallback
    }
}

/// People's baselines in a ring, with the median worked out once per change.
struct MemberBaselines: Sendable, Codable {
    private var users: [String] = []
    private var values: [Int64] = []
    private var next = 0
    private var cachedMedian: Int64?
    let capacity: Int

    init(capacity: Int) { self.capacity = capacity }

    mutating func record(user: String, baseline: Int64) {
        if let index = users.firstIndex(of: user) {
            guard values[index] != baseline else { return }
            values[index] = baseline
        } else if users.count < capacity {
            users.append(user)
            values.append(baseline)
        } else {
            users[next] = user
            values[next] = baseline
            next = (next + 1) % capacity
        }
        cachedMedian = nil
    }

    mutating func median(atLeast count: Int) -> Int64? {
        guard values.count >= count else { return nil }
        if let cachedMedian { return cachedMedian }
        let sorted = values.sorted()
        let median = sorted[sorted.count / 2]
        cachedMedian = median
        return median
    }
}
