public struct RepetitivePromptsConfiguration: Sendable, Equatable {
    public var enabled = true
    /// How far back prompts are compared. Default 1 h.
    public var window: Duration = .seconds(3600)
    /// Same or nearly the same prompts within the window that make an incident. Default 8.
    public var minRepeats = 8
    /// Estimated Jaccard similarity of words and word pairs from which two prompts count as the same. Default 0.6.
    public var similarity = 0.6
    /// Distinct prompt clusters remembered per user; the least recent is forgotten first. Default 64.
    public var maxClustersPerUser = 64
    /// Prompts of fewer words ("ok", "continue") are left to `trivial_flood`. Default 4.
    public var minWords = 4

    public init() {}
}

extension RepetitivePromptsConfiguration: DetectorConfiguration, DeclaredSettings {
    static var declaredKeys: [SettingKey<Self>] {
        [
            .bool("enabled", \.enabled),
            .duration("window", \.window),
            .integer("min_repeats", \.minRepeats, 2...100_000),
            .number("similarity", \.similarity, 0.05...1),
            .integer("max_clusters_per_user", \.maxClustersPerUser, 1...4096),
            .integer("min_words", \.minWords, 1...100),
        ]
    }

    var stateHorizon: Duration { window }
}
