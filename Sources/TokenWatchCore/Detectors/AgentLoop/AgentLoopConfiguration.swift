public struct AgentLoopConfiguration: Sendable, Equatable {
    public var enabled = true
    /// How far back loop iterations are counted and trigger edges are remembered. Default 10 min.
    public var window: Duration = .seconds(600)
    /// Iterations of one loop within the window that make an incident. Default 20.
    public var minIterations = 20
    /// The longest trigger cycle looked for (A→B→C→A has length 3). Default 4.
    public var maxCycleLength = 4
    /// A loop is busywork only when at most this share of its iterations (of those whose content is known)
    /// brought new content: a coding agent triggering itself hundreds of times with new prompts is working.
    /// Loops whose calls carry no prompt, prompt hash or output hash are judged by their shape. Default 0.5.
    public var maxNovelty = 0.5

    public init() {}
}

extension AgentLoopConfiguration: DetectorConfiguration {
    static let keys = ["enabled", "window", "min_iterations", "max_cycle_length", "max_novelty"]

    mutating func read(_ section: inout ConfigurationSection) {
        enabled = section.bool("enabled") ?? enabled
        window = section.duration("window") ?? window
        minIterations = section.integer("min_iterations", 2...100_000) ?? minIterations
        maxCycleLength = section.integer("max_cycle_length", 2...16) ?? maxCycleLength
        maxNovelty = section.number("max_novelty", 0...1) ?? maxNovelty
    }

    var yamlLines: [String] {
        [
            "enabled: \(enabled)",
            "window: \(YAMLScalar.duration(window))",
            "min_iterations: \(minIterations)",
            "max_cycle_length: \(maxCycleLength)",
            "max_novelty: \(maxNovelty)",
        ]
    }

    var stateHorizon: Duration { window }
}
