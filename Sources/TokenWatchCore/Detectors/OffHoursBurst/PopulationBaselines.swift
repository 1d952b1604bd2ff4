/// The heavy normal hours of the people already known, per team and for the whole organisation: the prior
/// for a newcomer, whose first evening is compared with what their colleagues usually do rather than with a
/// fixed constant that agent-era volumes outgrew.
///
/// Each person's entry is their trusted baseline (their `baseline_rank`-th busiest hour, once warmed up),
/// refreshed at most once per hour of theirs. The prior is the median of their team's entries when the team
/// has at least ``minimumMembers``, else of the organisation's, else the configured default; a median is
/// worked out again at most once per hour of event time. Bounded: 64 people per team, 512 for the
/// organisation (the newest replace the oldest), 4 096 teams.
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

    /// The baseline to assume, at `hour`, for someone of `team` whose own is not yet trusted.
    mutating func prior(team: String?, hour: Int64, otherwise fallback: Int64) -> Int64 {
        if let team, let median = teams[team]?.median(atLeast: Self.minimumMembers, hour: hour) { return median }
        return organisation.median(atLeast: Self.minimumMembers, hour: hour) ?? fallback
    }
}

/// People's baselines in a ring, with the median worked out at most once per hour.
struct MemberBaselines: Sendable, Codable {
    private var users: [String] = []
    private var values: [Int64] = []
    private var positions: [String: Int] = [:]
    private var next = 0
    private var median: Int64?
    private var medianHour: Int64 = .min
    private var changed = false
    let capacity: Int

    init(capacity: Int) { self.capacity = capacity }

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

    mutating func median(atLeast count: Int, hour: Int64) -> Int64? {
        guard values.count >= count else { return nil }
        if median == nil || (changed && hour != medianHour) {
            let sorted = values.sorted()
            median = sorted[sorted.count / 2]
            medianHour = hour
            changed = false
        }
        return median
    }
}
