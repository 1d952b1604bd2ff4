import TokenWatchCore

/// The configured attribute names, indexed once, so that a span's attributes are read in one pass with one
/// lookup each, instead of one scan of the list per field and name.
struct AttributeIndex: Sendable {
    enum Field: Int, CaseIterable, Sendable {
        case user, team, agent, session, model, inputTokens, outputTokens, prompt, output, operation
    }

    struct Slot: Sendable {
        var field: Field
        /// The name's place in its field's list: a lower rank wins.
        var rank: Int32
    }

    private let slots: [String: [Slot]]
    /// The same, by the FNV-1a hash of the name's bytes: the wire reader looks keys up without making a String.
    private let slotsByHash: [UInt64: [(name: [UInt8], slots: [Slot])]]

    init(_ names: OTLPAttributeNames) {
        var slots: [String: [Slot]] = [:]
        func add(_ list: [String], _ field: Field) {
            for (rank, name) in list.enumerated() {
                slots[name, default: []].append(Slot(field: field, rank: Int32(rank)))
            }
        }
        add(names.user, .user)
        add(names.team, .team)
        add(names.agent, .agent)
        add(names.session, .session)
        add(names.model, .model)
        add(names.inputTokens, .inputTokens)
        add(names.outputTokens, .outputTokens)
        add(names.prompt, .prompt)
        add(names.output, .output)
        add(["gen_ai.operation.name"], .operation)
        self.slots = slots
        var byHash: [UInt64: [(name: [UInt8], slots: [Slot])]] = [:]
        for (name, found) in slots { byHash[FNV1a.hash(name), default: []].append((Array(name.utf8), found)) }
        slotsByHash = byHash
    }

    func slots(forKey key: String) -> [Slot]? { slots[key] }

    func slots(forKey key: UnsafeRawBufferPointer) -> [Slot]? {
        var hash = FNV1a.offsetBasis
        for byte in key { hash = FNV1a.add(byte, to: hash) }
        return slotsByHash[hash]?.first { $0.name.elementsEqual(key) }?.slots
    }

    /// The fields of a record's attributes and its resource's, the record's winning.
    func read(own: [OTLPKeyValue], resource: [OTLPKeyValue]) -> (FieldValues, isGenAI: Bool) {
        var record = FieldCollector()
        for pair in own {
            if pair.key.utf8.starts(with: Self.genAIPrefix) { record.isGenAI = true }
            if let found = slots[pair.key], pair.hasValue { record.offer(found) { AttributeValue(pair.value) } }
        }
        var shared = FieldCollector()
        for pair in resource {
            if let found = slots[pair.key], pair.hasValue { shared.offer(found) { AttributeValue(pair.value) } }
        }
        record.values.fallBack(to: shared.values)
        return (record.values, record.isGenAI || record.values.hasTokens)
    }

    static let genAIPrefix = Array("gen_ai.".utf8)
}

/// Gathers one record's fields, keeping for each the value of its best-ranked name.
struct FieldCollector {
    var values = FieldValues()
    var isGenAI = false
    private var ranks = SIMD16<Int32>(repeating: .max)

    /// `value` is read only when some field takes it.
    mutating func offer(_ slots: [AttributeIndex.Slot], _ value: () -> AttributeValue?) {
        guard slots.contains(where: { $0.rank < ranks[$0.field.rawValue] }), let found = value() else { return }
        for slot in slots where slot.rank < ranks[slot.field.rawValue] {
            ranks[slot.field.rawValue] = slot.rank
            values[slot.field] = found
        }
    }
}

extension FieldValues {
    var hasTokens: Bool { inputTokens != nil || outputTokens != nil }
}
