extension AlertPayload {
    /// Reads a payload as published (a message's second frame, a journal line's `alert`, a webhook's body).
    public init(parsing text: some StringProtocol) throws(AlertPayloadError) {
        let value: JSONValue
        do throws(JSONReader.Failure) {
            value = try JSONReader.read(text)
        } catch {
            throw AlertPayloadError(code: .notJSON, offset: error.offset, detail: error.expected)
        }
        try self.init(json: value)
    }

    /// Reads a payload already read as JSON (within a journal line), so that it is parsed once.
    package init(json value: JSONValue) throws(AlertPayloadError) {
        guard case .object = value else { throw AlertPayloadError(code: .notAnObject, detail: value.kind) }
        let fields = PayloadFields(object: value)
        self.init(
            id: try fields.required("id"), incident: try fields.text("incident"), seq: try fields.unsigned("seq"),
            detector: try fields.required("detector"), severity: try fields.text("severity") ?? "",
            state: try fields.required("state"), subject: try fields.subject(), time: try fields.required("ts"),
            window: try fields.window(), observed: try fields.figures("observed"),
            threshold: try fields.figures("threshold"), summary: try fields.text("summary") ?? "",
            evidence: try fields.texts("evidence") ?? [], suppressed: try fields.integer("suppressed"),
            operational: try fields.operational())
    }
}

/// The keys of one payload object, each read as the kind the contract gives it.
private struct PayloadFields {
    let object: JSONValue

    func required(_ key: String) throws(AlertPayloadError) -> String {
        guard let text = try text(key) else {
            throw AlertPayloadError(code: .missingKey, key: key, detail: "every alert has one")
        }
        return text
    }

    func text(_ key: String, in object: JSONValue? = nil, path: String? = nil) throws(AlertPayloadError) -> String? {
        switch (object ?? self.object)[key] {
        case nil: return nil
        case .string(let text)?: return text
        case let other?: throw wrongKind(path ?? key, "text", found: other)
        }
    }

    func unsigned(_ key: String) throws(AlertPayloadError) -> UInt64? {
        switch object[key] {
        case nil: return nil
        case .number(let literal)? where UInt64(literal) != nil: return UInt64(literal)
        case let other?: throw wrongKind(key, "a whole number, 0 or more", found: other)
        }
    }

    func integer(_ key: String) throws(AlertPayloadError) -> Int64? {
        switch object[key] {
        case nil: return nil
        case .number(let literal)? where Int64(literal) != nil: return Int64(literal)
        case let other?: throw wrongKind(key, "a whole number", found: other)
        }
    }

    func texts(_ key: String) throws(AlertPayloadError) -> [String]? {
        switch object[key] {
        case nil: return nil
        case .array(let elements)?: return try texts(elements, path: key)
        case let other?: throw wrongKind(key, "a list of text", found: other)
        }
    }

    func subject() throws(AlertPayloadError) -> AlertSubject? {
        guard let subject = try nested("subject") else { return nil }
        return AlertSubject(
            user: try text("user", in: subject, path: "subject.user"),
            agent: try text("agent", in: subject, path: "subject.agent"))
    }

    func window() throws(AlertPayloadError) -> AlertPayload.Window? {
        guard let window = try nested("window") else { return nil }
        func time(_ key: String) throws(AlertPayloadError) -> String {
            guard let text = try text(key, in: window, path: "window.\(key)") else {
                throw AlertPayloadError(
                    code: .missingKey, key: "window.\(key)", detail: "a window has a start and an end")
            }
            return text
        }
        return AlertPayload.Window(start: try time("start"), end: try time("end"))
    }

    func figures(_ key: String) throws(AlertPayloadError) -> [(String, AlertFigure)] {
        guard case .object(let members) = try nested(key) else { return [] }
        var figures: [(String, AlertFigure)] = []
        for member in members {
            switch member.value {
            case .number(let literal): figures.append((member.key, Self.figure(literal)))
            case .string(let text): figures.append((member.key, .text(text)))
            // The writer writes a number that is not finite as null.
            case .null: figures.append((member.key, .number(.nan)))
            case .array(let elements):
                figures.append((member.key, .list(try texts(elements, path: "\(key).\(member.key)"))))
            case let other:
                throw wrongKind("\(key).\(member.key)", "a number, text or a list of text", found: other)
            }
        }
        return figures
    }

    func operational() throws(AlertPayloadError) -> AlertPayload.Operational? {
        guard let name = try text("name") else { return nil }
        return AlertPayload.Operational(name: name, details: try texts("details") ?? [])
    }

    private func texts(_ elements: [JSONValue], path: String) throws(AlertPayloadError) -> [String] {
        var texts: [String] = []
        for element in elements {
            guard case .string(let text) = element else { throw wrongKind(path, "a list of text", found: element) }
            texts.append(text)
        }
        return texts
    }

    /// An integer when written as one (no fraction, no exponent, and within 64 bits), else a number.
    private static func figure(_ literal: String) -> AlertFigure {
        if !literal.contains(where: { $0 == "." || $0 == "e" || $0 == "E" }), let integer = Int64(literal) {
            return .integer(integer)
        }
        return .number(Double(literal) ?? .nan)
    }

    private func nested(_ key: String) throws(AlertPayloadError) -> JSONValue? {
        guard let value = object[key] else { return nil }
        guard case .object = value else { throw wrongKind(key, "an object", found: value) }
        return value
    }

    private func wrongKind(_ key: String, _ expected: String, found: JSONValue) -> AlertPayloadError {
        AlertPayloadError(code: .wrongKind, key: key, detail: "\(expected), not \(found.kind)")
    }
}
