/// Checkpoints of detector state, so that a restart loses no window and no baseline.
public struct StateConfiguration: Sendable, Equatable {
    /// Where checkpoints are written. Empty: `$STATE_DIRECTORY` when systemd sets it, else no checkpoints.
    public var directory = ""
    /// How often the state is checkpointed while running (and always at shutdown). Default 60 s.
    public var checkpointInterval: Duration = .seconds(60)
    /// The most subjects (users, agents, sessions) each detector tracks; beyond it the idlest are forgotten
    /// (counted in tokenwatch_subjects_evicted_total). Bounds memory under a flood of distinct ids. Default 300000.
    public var maxTrackedSubjects = 300_000
    /// How many threads detect, each running a share of the 64 shards of people; 0: one per core available
    /// less one for decoding, at least one.
    /// Alerts are the same with any number. Default 0.
    public var detectionThreads = 0

    public init() {}
}

extension StateConfiguration: DeclaredSettings {
    static var declaredKeys: [SettingKey<Self>] {
        [
            .text(
                "directory", \.directory, expecting: "a directory path or empty",
                problem: { $0.isEmpty || $0.hasPrefix("/") ? nil : "must be an absolute path (or empty), not '\($0)'" }),
            .duration("checkpoint_interval", \.checkpointInterval),
            .integer("max_tracked_subjects", \.maxTrackedSubjects, 100...100_000_000),
            .integer("detection_threads", \.detectionThreads, 0...VirtualShard.count),
        ]
    }
}
