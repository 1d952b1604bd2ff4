import TokenWatchCore

/// The configured attribute names, indexed once, so that a span's attributes are read in one pass with one
/// hash lookup each, instead of one scan of the list per field and name.
struct AttributeIndex: Sendable {
    enum Field: Int, CaseIterable, Sendable {
        case user, team, agent, session, model, inputTokens, outputTokens, prompt, operation
    }

    private struct Slot: Sendable {
        var field: Field
        /// The name's place in its field's list: a lower rank wins.
        var rank: Int
    }

    private let slots: [String: [Slot]]

    init(_ names: OTLPAttributeNames) {
        var slots: [String: [Slot]] = [:]
        func add(_ list: [String], _ field: Field) {
            for (rank, name) in list.enumerated() { slots[name, default: []].append(Slot(field: field, rank: rank)) }
        }
        add(names.user, .user)
        add(names.team, .team)
        add(names.agent, .agent)
        add(names.session, .session)
        add(names.model, .model)
        add(names.inputTokens, .inputTokens)
        add(names.outputTokens, .outputTokens)
        add(names.prompt, .prompt)
        add(["gen_ai.operation.name"], .operation)
        self.slots = slots
    }

    /// Each field's value: the best-ranked name on the record, else the best-ranked on the resource.
    func read(own: [OTLPKeyValue], resource: [OTLPKeyValue]) -> Values {
        var values = Values(own: own, resource: resource)
        var ownRanks = SIMD16<Int32>(repeating: .max)
        var resourceRanks = SIMD16<Int32>(repeating: .max)
        var resourcePositions = SIMD16<Int32>(repeating: -1)
        for (position, pair) in own.enumerated() {
            if pair.key.utf8.starts(with: Self.genAIPrefix) { values.isGenAI = true }
            record(pair, at: Int32(position), positions: &values.positions, ranks: &ownRanks)
        }
        for (position, pair) in resource.enumerated() {
            record(pair, at: Int32(position), positions: &resourcePositions, ranks: &resourceRanks)
        }
        for field in 0..<Field.allCases.count where values.positions[field] < 0 && resourcePositions[field] >= 0 {
            values.positions[field] = Values.resourceBase + resourcePositions[field]
        }
        if values.positions[Field.inputTokens.rawValue] >= 0 || values.positions[Field.outputTokens.rawValue] >= 0 {
            values.isGenAI = true
        }
        return values
    }

    private func record(
        _ pair: OTLPKeyValue, at position: Int32, positions: inout SIMD16<Int32>, ranks: inout SIMD16<Int32>
    ) {
        guard let found = slots[pair.key], pair.hasValue, pair.value.value != nil else { return }
        for slot in found where Int32(slot.rank) < ranks[slot.field.rawValue] {
            ranks[slot.field.rawValue] = Int32(slot.rank)
            positions[slot.field.rawValue] = position
        }
    }

    private static let genAIPrefix = Array("gen_ai.".utf8)

    /// Where each field's value is: a position in the record's attributes, or (from `resourceBase` on) in
    /// the resource's; -1 for none. Positions in SIMD lanes: no allocation or metadata lookup per span.
    struct Values {
        static let resourceBase: Int32 = 1 << 24
        let own: [OTLPKeyValue]
        let resource: [OTLPKeyValue]
        var positions = SIMD16<Int32>(repeating: -1)
        /// Whether the record carries GenAI attributes at all (a `gen_ai.*` key, or a token count).
        var isGenAI = false

        init(own: [OTLPKeyValue], resource: [OTLPKeyValue]) {
            self.own = own
            self.resource = resource
        }

        subscript(field: Field) -> OTLPAnyValue? {
            let position = positions[field.rawValue]
            if position < 0 { return nil }
            if position >= Self.resourceBase { return resource[Int(position - Self.resourceBase)].value }
            return own[Int(position)].value
        }

        func text(_ field: Field) throws(OTLPRecordRejection) -> String? { try self[field]?.text() }
        func count(_ field: Field) throws(OTLPRecordRejection) -> Int64? { try self[field]?.count() }
    }
}

extension OTLPAnyValue {
    /// A text field: a string, or an integer written out (numeric user ids are common).
    func text() throws(OTLPRecordRejection) -> String? {
        switch value {
        case .stringValue(let text): return text.isEmpty ? nil : text
        case .intValue(let number): return String(number)
        case nil: return nil
        default: throw .wrongType
        }
    }

    /// A token count: an integer, or a string or a whole double holding one (JSON exporters differ).
    func count() throws(OTLPRecordRejection) -> Int64? {
        switch value {
        case .intValue(let number):
            guard number >= 0 else { throw .wrongType }
            return number
        case .stringValue(let text):
            guard let number = Int64(text), number >= 0 else { throw .wrongType }
            return number
        case .doubleValue(let number):
            guard number >= 0, number < 9e18, number.rounded() == number else { throw .wrongType }
            return Int64(number)
        case nil: return nil
        default: throw .wrongType
        }
    }
}
