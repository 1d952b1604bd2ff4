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

extension ContextPaddingConfiguration: DetectorConfiguration {
    static let keys = ["enabled", "window", "min_input_tokens", "min_calls", "min_padded_tokens", "min_padded_share"]

    mutating func read(_ section: inout ConfigurationSection) {
        enabled = section.bool("enabled") ?? enabled
        window = section.duration("window") ?? window
        minInputTokens = section.integer64("min_input_tokens", 1...100_000_000) ?? minInputTokens
        minCalls = section.integer("min_calls", 1...100_000) ?? minCalls
        minPaddedTokens = section.integer64("min_padded_tokens", 0...1_000_000_000_000) ?? minPaddedTokens
        minPaddedShare = section.number("min_padded_share", 0...1) ?? minPaddedShare
    }

    var yamlLines: [String] {
        [
            "enabled: \(enabled)",
            "window: \(YAMLScalar.duration(window))",
            "min_input_tokens: \(minInputTokens)",
            "min_calls: \(minCalls)",
            "min_padded_tokens: \(minPaddedTokens)",
            "min_padded_share: \(minPaddedShare)",
        ]
    }

    var stateHorizon: Duration { window }
}
