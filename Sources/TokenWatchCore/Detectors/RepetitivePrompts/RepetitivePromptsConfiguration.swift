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

extension RepetitivePromptsConfiguration: DetectorConfiguration {
    static let keys = ["enabled", "window", "min_repeats", "similarity", "max_clusters_per_user", "min_words"]

    mutating func read(_ section: inout ConfigurationSection) {
        minWords = section.integer("min_words", 1...100) ?? minWords
        enabled = section.bool("enabled") ?? enabled
        window = section.duration("window") ?? window
        minRepeats = section.integer("min_repeats", 2...100_000) ?? minRepeats
        similarity = section.number("similarity", 0.05...1) ?? similarity
        maxClustersPerUser = section.integer("max_clusters_per_user", 1...4096) ?? maxClustersPerUser
    }

    var yamlLines: [String] {
        [
            "enabled: \(enabled)",
            "window: \(YAMLScalar.duration(window))",
            "min_repeats: \(minRepeats)",
            "similarity: \(similarity)",
            "max_clusters_per_user: \(maxClustersPerUser)",
            "min_words: \(minWords)",
        ]
    }

    var stateHorizon: Duration { window }
}
