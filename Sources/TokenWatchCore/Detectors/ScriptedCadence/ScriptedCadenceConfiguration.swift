/// A person's own calls arriving like clockwork: a script padding usage under their name.
public struct ScriptedCadenceConfiguration: Sendable, Equatable, Codable {
    public var enabled = true
    /// Only calls within this span count. Default 1 h.
    public var window: Duration = .seconds(3600)
    /// Consecutive calls (in one session, or without one) whose spacing is measured. Default 8.
    public var minCalls = 8
    /// The mean spacing must be at most this (slower schedules are not padding). Default 5 min.
    public var maxInterval: Duration = .seconds(300)
    /// The spacing's coefficient of variation (standard deviation ÷ mean) must be at most this. People
    /// vary by 30% and more; a schedule with a few percent of jitter by under 2%. Default 0.02.
    public var maxVariation = 0.02

    public init() {}
}

extension ScriptedCadenceConfiguration: DetectorConfiguration, DeclaredSettings {
    static var declaredKeys: [SettingKey<Self>] {
        [
            .bool("enabled", \.enabled),
            .duration("window", \.window),
            .integer("min_calls", \.minCalls, 5...10_000),
            .duration("max_interval", \.maxInterval),
            .number("max_variation", \.maxVariation, 0.001...1),
        ]
    }

    var stateHorizon: Duration { window }
}
