/// Spending by team, day and progress judgement: what the shards counted, gathered after each segment.
extension DetectionEngine {
    /// The spending since the last call, by team key (``TeamRegistry/label(of:minTeamSize:)`` names it) and
    /// day, and forgets it. The daemon takes it after every batch, so it stays as small as a batch's teams.
    public mutating func takeUsage() -> [TeamDay: JudgedUsage] {
        defer { usage.removeAll(keepingCapacity: true) }
        return usage
    }

    /// The label a team key is counted under now (`report.min_team_size`).
    public func teamLabel(of key: String) -> String {
        teams.label(of: key, minTeamSize: configuration.report.minTeamSize)
    }

    /// Moves the workers' tallies into ``usage`` and the registry. Teams not yet known are admitted in name
    /// order, so which ones are named does not depend on how the shards were spread over workers.
    mutating func collectUsage() {
        let maxTeams = configuration.report.maxTeams
        let cap = configuration.report.minTeamSize
        var newTeams: Set<String> = []
        for output in outputs {
            for team in output.usage.people.keys where teams.people[team] == nil { newTeams.insert(team) }
        }
        for team in newTeams.sorted() { _ = teams.admit(team, maxTeams: maxTeams) }
        for worker in outputs.indices {
            for (teamDay, counts) in outputs[worker].usage.usage {
                let key = teams.people[teamDay.team] != nil ? teamDay.team : TeamRegistry.otherKey
                usage[TeamDay(team: key, day: teamDay.day), default: JudgedUsage()].add(counts)
                daily.add(counts, to: TeamDay(team: key, day: teamDay.day))
            }
            for (team, people) in outputs[worker].usage.people {
                teams.meet(people, in: team, cap: cap)
            }
            outputs[worker].usage.removeAll()
        }
    }
}
