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

    /// The event's JSON. A prompt that would make the event larger than the daemon accepts is sent as its
    /// hash instead: exact repeats are still seen, and the call is not lost for one long text.
    func eventJSON(limits: EventDecoder.Limits) -> [UInt8] {
        let withPrompt = write(prompt: prompt, promptHash: nil)
        guard let prompt, withPrompt.count > limits.maxPayloadBytes else { return withPrompt }
        let hash = FNV1a.hash(prompt)
        return write(prompt: nil, promptHash: "fnv64:" + String(hash, radix: 16))
    }

    private func write(prompt: String?, promptHash: String?) -> [UInt8] {
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
        return json.finish()
    }

    /// The identifiers the daemon limits in length.
    var identifiers: [String] { [id, user, team, agent, parent, session, model].compactMap { $0 } }
}
