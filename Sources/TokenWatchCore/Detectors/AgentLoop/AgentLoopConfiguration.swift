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

extension AgentLoopConfiguration: DetectorConfiguration, DeclaredSettings {
    static var declaredKeys: [SettingKey<Self>] {
        [
            .bool("enabled", \.enabled),
            .duration("window", \.window),
            .integer("min_iterations", \.minIterations, 2...100_000),
            .duration("slow_window", \.slowWindow),
            .integer("slow_min_iterations", \.slowMinIterations, 0...100_000),
            .integer("max_cycle_length", \.maxCycleLength, 2...16),
            .number("max_novelty", \.maxNovelty, 0...1),
        ]
    }

    func check(_ section: inout ConfigurationSection) {
        if slowWindow < window { section.report("slow_window", "must not be shorter than window") }
    }

    var stateHorizon: Duration { max(window, slowWindow) }
}
