extension AlertPayload {
    /// The payload as one line of JSON: a detector's alert with its keys in the contract's order, an
    /// operational alert with its keys sorted. Keys that are absent (`nil`) are left out.
    public var json: String {
        if let operational { return operationalJSON(operational) }
        var json = JSONWriter()
        json.beginObject()
        json.string(id, key: "id")
        if let incident { json.string(incident, key: "incident") }
        if let seq { json.integer(Int64(seq), key: "seq") }
        json.string(detector, key: "detector")
        json.string(severity, key: "severity")
        json.string(state, key: "state")
        if let subject { json.subject(subject) }
        json.string(time, key: "ts")
        if let window {
            json.beginObject(key: "window")
            json.string(window.start, key: "start")
            json.string(window.end, key: "end")
            json.endObject()
        }
        json.figures(observed, key: "observed")
        json.figures(threshold, key: "threshold")
        json.string(summary, key: "summary")
        json.strings(evidence, key: "evidence")
        if let suppressed { json.integer(suppressed, key: "suppressed") }
        json.endObject()
        return json.text
    }

    /// Sorted keys and Foundation's escaping: the shape operational alerts have always had on the wire.
    private func operationalJSON(_ operational: Operational) -> String {
        var json = JSONWriter(escaping: .foundation)
        json.beginObject()
        json.strings(operational.details, key: "details")
        json.string(detector, key: "detector")
        json.string(id, key: "id")
        json.string(operational.name, key: "name")
        json.string(severity, key: "severity")
        json.string(state, key: "state")
        json.subject(subject ?? AlertSubject(), sorted: true)
        json.string(summary, key: "summary")
        json.string(time, key: "ts")
        json.endObject()
        return json.text
    }
}

extension JSONWriter {
    fileprivate mutating func subject(_ subject: AlertSubject, sorted: Bool = false) {
        beginObject(key: "subject")
        if sorted, let agent = subject.agent { string(agent, key: "agent") }
        if let user = subject.user { string(user, key: "user") }
        if !sorted, let agent = subject.agent { string(agent, key: "agent") }
        endObject()
    }

    fileprivate mutating func strings(_ values: [String], key: String) {
        beginArray(key: key)
        for value in values { string(value) }
        endArray()
    }
}
