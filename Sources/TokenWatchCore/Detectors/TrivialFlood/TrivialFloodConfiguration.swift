/// Floods of trivial prompts ("ok", "continue") at a rate no conversation has.
public struct TrivialFloodConfiguration: Sendable, Equatable, Codable {
    public var enabled = true
    /// The span over which trivial calls are counted. Default 10 min.
    public var window: Duration = .seconds(600)
    /// Trivial calls within the window that make an incident. Default 40.
    public var minCalls = 40
    /// A prompt of at most this many words is trivial. Default 3.
    public var maxPromptWords = 3
    /// Without prompt text, a call of at most this many input tokens is trivial. Default 20.
    public var maxInputTokens: Int64 = 20
    /// A trivial prompt sent with at least this many input tokens of context and answered with something new
    /// steers an agent through work ("continue" with a 30k-token session behind it) and is not counted.
    /// Default 2000.
    public var steeringContextTokens: Int64 = ContentMemory.contextTokens

    public init() {}
}

extension TrivialFloodConfiguration: DetectorConfiguration, DeclaredSettings {
    static var declaredKeys: [SettingKey<Self>] {
        [
            .bool("enabled", \.enabled),
            .duration("window", \.window),
            .integer("min_calls", \.minCalls, 2...100_000),
            .integer("max_prompt_words", \.maxPromptWords, 1...100),
            .integer("max_input_tokens", \.maxInputTokens, 0...100_000),
            .integer("steering_context_tokens", \.steeringContextTokens, 0...100_000_000),
        ]
    }

    var stateHorizon: Duration { window }
}
