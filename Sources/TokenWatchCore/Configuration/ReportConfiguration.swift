/// The per-team view of spending: the live counters `tokenwatch_tokens_total` and `tokenwatch_calls_total`
/// and `tokenwatch report`. Teams only, never people.
public struct ReportConfiguration: Sendable, Equatable {
    /// The most teams named in the counters and the report; the calls of teams first seen after that many
    /// are counted as `team="other"`. Bounds the counters' label values. Default 200.
    public var maxTeams = 200
    /// A team seen with fewer distinct people than this is counted as `team="small teams"`, so that no team
    /// label narrows down to a person. Default 5.
    public var minTeamSize = 5

    public init(maxTeams: Int = 200, minTeamSize: Int = 5) {
        self.maxTeams = maxTeams
        self.minTeamSize = minTeamSize
    }
}

extension ReportConfiguration: DeclaredSettings {
    static var declaredKeys: [SettingKey<Self>] {
        [.integer("max_teams", \.maxTeams, 1...10_000), .integer("min_team_size", \.minTeamSize, 1...1_000)]
    }
}
