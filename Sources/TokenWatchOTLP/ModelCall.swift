import TokenWatchCore

/// One model call read from a span or a log record, written as a token event (README, "Token event (in)").
struct ModelCall {
    var id: String
    var milliseconds: Int64
    var user: String
    var team: String?
    var agent: String?
    var parent: String?
    var session: String?
    var model: String?
    var inputTokens: Int64
    var outputTokens: Int64
    var prompt: String?
    /// The answer's text: only its hash leaves the bridge.
    var output: String? = nil

    /// The event's JSON. With an answer, the prompt's hash goes beside its text and the answer's as
    /// `output_hash`, hashed alike, so that the daemon sees an answer fed back unchanged as the next prompt. A
    /// prompt that would make the event larger than the daemon accepts is sent as its hash alone: exact
    /// repeats are still seen, and the call is not lost for one long text.
    func eventJSON(limits: EventDecoder.Limits) -> [UInt8] {
        let promptHash = prompt.map(Self.hash)
        let outputHash = output.map(Self.hash)
        let withPrompt = write(prompt: prompt, promptHash: outputHash == nil ? nil : promptHash, outputHash: outputHash)
        guard prompt != nil, withPrompt.count > limits.maxPayloadBytes else { return withPrompt }
        return write(prompt: nil, promptHash: promptHash, outputHash: outputHash)
    }

    /// The opaque hash the bridge writes for a text: the same text gives the same string.
    static func hash(_ text: String) -> String { "fnv64:" + String(FNV1a.hash(text), radix: 16) }

    private func write(prompt: String?, promptHash: String?, outputHash: String?) -> [UInt8] {
        var json = EventBytes(capacity: 192 + (prompt?.utf8.count ?? 0))
        json.string("id", id)
        json.integer("ts", milliseconds)
        json.string("user", user)
        if let team { json.string("team", team) }
        if let agent { json.string("agent", agent) }
        if let parent { json.string("parent", parent) }
        if let session { json.string("session", session) }
        if let model { json.string("model", model) }
        json.integer("input_tokens", inputTokens)
        json.integer("output_tokens", outputTokens)
        if let prompt { json.string("prompt", prompt) }
        if let promptHash { json.string("prompt_hash", promptHash) }
        if let outputHash { json.string("output_hash", outputHash) }
        return json.finish()
    }

    /// The identifiers the daemon limits in length.
    var identifiers: [String] { [id, user, team, agent, parent, session, model].compactMap { $0 } }
}
