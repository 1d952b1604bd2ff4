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
    func eventJSON(limits: EventDecoder.Limits) -> String {
        let withPrompt = write(prompt: prompt, promptHash: nil)
        guard let prompt, withPrompt.utf8.count > limits.maxPayloadBytes else { return withPrompt }
        let hash = FNV1a.hash(prompt)
        return write(prompt: nil, promptHash: "fnv64:" + String(hash, radix: 16))
    }

    private func write(prompt: String?, promptHash: String?) -> String {
        var json = JSONWriter()
        json.beginObject()
        json.string(id, key: "id")
        json.integer(milliseconds, key: "ts")
        json.string(user, key: "user")
        if let team { json.string(team, key: "team") }
        if let agent { json.string(agent, key: "agent") }
        if let parent { json.string(parent, key: "parent") }
        if let session { json.string(session, key: "session") }
        if let model { json.string(model, key: "model") }
        json.integer(inputTokens, key: "input_tokens")
        json.integer(outputTokens, key: "output_tokens")
        if let prompt { json.string(prompt, key: "prompt") }
        if let promptHash { json.string(promptHash, key: "prompt_hash") }
        json.endObject()
        return json.text
    }

    /// The identifiers the daemon limits in length.
    var identifiers: [String] { [id, user, team, agent, parent, session, model].compactMap { $0 } }
}
