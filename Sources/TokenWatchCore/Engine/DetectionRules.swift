/// What every shard reads, and none changes, while it detects: the configuration and what is derived from it
/// once per configuration rather than per event.
///
/// A class, not a struct: it is read by every step of every worker, and a struct this size (over 800 bytes)
/// was copied onto the stack for each event (`perf`: a `memcpy` per step), where a reference is passed in a
/// register. Nothing in it changes after `init`.
final class DetectionRules: Sendable {
    let configuration: TokenWatchConfiguration
    /// How far back each detector keeps state, in milliseconds, in suite order: the longest horizon over the
    /// configuration and every override.
    let horizons: [Int64]
    /// Indices into `configuration.overrides`, by user and by team.
    let userOverrides: [String: Int]
    let teamOverrides: [String: Int]
    /// The most subjects each table of one shard keeps: `state.max_tracked_subjects` shared evenly by the
    /// shards this daemon owns (`events.shards`, else all of them), at least one.
    let subjectLimit: Int

    init(_ configuration: TokenWatchConfiguration) {
        self.configuration = configuration
        horizons = StateHorizons.longest(in: configuration)
        var users: [String: Int] = [:]
        var teams: [String: Int] = [:]
        for (index, override) in configuration.overrides.enumerated() {
            switch override.match {
            case .user(let user): users[user] = index
            case .team(let team): teams[team] = index
            }
        }
        userOverrides = users
        teamOverrides = teams
        let owned = configuration.events.shards.isEmpty ? VirtualShard.count : Set(configuration.events.shards).count
        subjectLimit = max(1, configuration.state.maxTrackedSubjects / owned)
    }

    /// The key users are pseudonymised with, when they are.
    var pseudonymKey: [UInt8]? {
        configuration.privacy.pseudonymizeUsers && !configuration.privacy.key.isEmpty ? configuration.privacy.key : nil
    }

    /// The index of the override that applies to `event`, if any. Looked up only when there are overrides:
    /// each lookup hashes the id.
    func overrideIndex(for event: TokenEvent) -> Int? {
        (userOverrides.isEmpty ? nil : userOverrides[event.user])
            ?? (teamOverrides.isEmpty ? nil : event.team.flatMap({ teamOverrides[$0] }))
    }

    /// The detectors an allowance exempts `event` from raising anything.
    func allowed(_ event: TokenEvent) -> Set<DetectorName> {
        var allowed: Set<DetectorName> = []
        for allowance in configuration.allowances where allowance.covers(event) {
            allowed.formUnion(allowance.detectors.isEmpty ? Set(DetectorSuite.names) : allowance.detectors)
        }
        return allowed
    }
}
