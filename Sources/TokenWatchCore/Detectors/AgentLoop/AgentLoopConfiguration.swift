public struct AgentLoopConfiguration: Sendable, Equatable {
    public var enabled = true
    /// How far back loop iterations are counted and trigger edges are remembered. Default 10 min.
    public var window: Duration = .seconds(600)
    /// Iterations of one loop within the window that make an incident. Default 20.
    public var minIterations = 20
    /// The long window, for loops too slow for the short one: an inbox re-triaged every minute or two.
    /// Default 60 min.
    public var slowWindow: Duration = .seconds(3600)
    /// Iterations of one loop within the long window that make an incident; 0 turns the slow rule off.
    /// Default 20.
    public var slowMinIterations = 20
    /// The longest trigger cycle looked for (A→B→C→A has length 3). Default 4.
    public var maxCycleLength = 4
    /// A loop is busywork only when at most this share of its judged iterations made progress (built on what
    /// came before: see ``ProgressJudgement``): a coding agent triggering itself hundreds of times while its
    /// context grows is working. Loops whose calls carry neither content nor usable token figures are judged
    /// by their shape. Default 0.5.
    public var maxNovelty = 0.5

    public init() {}

    /// Whether a window's iterations are churn enough to be a loop.
    func isChurn(_ tally: LoopTally) -> Bool {
        tally.judged == 0 || Double(tally.progress) <= maxNovelty * Double(tally.judged)
    }
}

extension AgentLoopConfiguration: DetectorConfiguration {
    static let keys = [
        "enabled", "window", "min_iterations", "slow_window", "slow_min_iterations", "max_cycle_length", "max_novelty",
    ]

    mutating func read(_ section: inout ConfigurationSection) {
        enabled = section.bool("enabled") ?? enabled
        window = section.duration("window") ?? window
        minIterations = section.integer("min_iterations", 2...100_000) ?? minIterations
        slowWindow = section.duration("slow_window") ?? slowWindow
        slowMinIterations = section.integer("slow_min_iterations", 0...100_000) ?? slowMinIterations
        if slowWindow < window { section.report("slow_window", "must not be shorter than window") }
        maxCycleLength = section.integer("max_cycle_length", 2...16) ?? maxCycleLength
        maxNovelty = section.number("max_novelty", 0...1) ?? maxNovelty
    }

    var yamlLines: [String] {
        [
            "enabled: \(enabled)",
            "window: \(YAMLScalar.duration(window))",
            "min_iterations: \(minIterations)",
            "slow_window: \(YAMLScalar.duration(slowWindow))",
            "slow_min_iterations: \(slowMinIterations)",
            "max_cycle_length: \(maxCycleLength)",
            "max_novelty: \(maxNovelty)",
        ]
    }

    var stateHorizon: Duration { max(window, slowWindow) }
}
