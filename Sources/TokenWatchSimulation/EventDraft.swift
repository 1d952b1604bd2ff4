import TokenWatchCore

/// An event being generated, before ids are assigned in time order.
struct Draft: Sendable {
    var time: EventTime
    /// Breaks ties between equal times, reproducibly.
    var order: UInt64
    var user: String
    var team: String?
    var timeZone: String?
    var agent: String?
    var parent: String?
    var session: String?
    var model: String?
    var tool: String?
    var input: Int64 = 0
    var output: Int64 = 0
    var prompt: String?
    var promptHash: String?
    var outputHash: String?
    /// Write `ts` as epoch milliseconds instead of RFC 3339, as some publishers do.
    var epochMillis = false

    init(time: EventTime, order: UInt64, user: String) {
        self.time = time
        self.order = order
        self.user = user
    }

    /// A call by `person` themselves: their id, team and time zone.
    init(for person: Person, at time: EventTime, order: UInt64) {
        self.init(time: time, order: order, user: person.id)
        team = person.team
        timeZone = person.timeZone
    }

    func payload(id: String) -> String {
        var json = JSONWriter()
        json.beginObject()
        if epochMillis { json.integer(time.milliseconds, key: "ts") } else { json.string(time.rfc3339, key: "ts") }
        json.string(id, key: "id")
        json.string(user, key: "user")
        if let team { json.string(team, key: "team") }
        if let timeZone { json.string(timeZone, key: "tz") }
        if let agent { json.string(agent, key: "agent") }
        if let parent { json.string(parent, key: "parent") }
        if let session { json.string(session, key: "session") }
        if let model { json.string(model, key: "model") }
        if let tool { json.string(tool, key: "tool") }
        json.integer(input, key: "input_tokens")
        json.integer(output, key: "output_tokens")
        if let prompt { json.string(prompt, key: "prompt") }
        if let promptHash { json.string(promptHash, key: "prompt_hash") }
        if let outputHash { json.string(outputHash, key: "output_hash") }
        json.endObject()
        return json.text
    }
}
