/// Tokens without content: large contexts sent again with nothing new asked or answered.
public struct ContextPaddingConfiguration: Sendable, Equatable {
    public var enabled = true
    /// The span over which padded calls and input tokens are summed. Default 1 h.
    public var window: Duration = .seconds(3600)
    /// A call carries a large context from this many input tokens: more than a chat turn with some pasted
    /// text (a few thousand), less than an agent session (tens of thousands). Default 8000.
    public var minInputTokens: Int64 = 8000
    /// Padded calls (a large context, and content that repeats) within the window that make an incident.
    /// Default 5.
    public var minCalls = 5
    /// Input tokens of padded calls within the window that make an incident. Default 200000.
    public var minPaddedTokens: Int64 = 200_000
    /// The share of the person's input tokens within the window that must be padding: a coding session with
    /// a few retries of 100k-token calls stays far below it. Default 0.5.
    public var minPaddedShare = 0.5

    public init() {}
}

extension ContextPaddingConfiguration: DetectorConfiguration, DeclaredSettings {
    static var declaredKeys: [SettingKey<Self>] {
        [
            .bool("enabled", \.enabled),
            .duration("window", \.window),
            .integer("min_input_tokens", \.minInputTokens, 1...100_000_000),
            .integer("min_calls", \.minCalls, 1...100_000),
            .integer("min_padded_tokens", \.minPaddedTokens, 0...1_000_000_000_000),
            .number("min_padded_share", \.minPaddedShare, 0...1),
        ]
    }

    var stateHorizon: Duration { window }
}
