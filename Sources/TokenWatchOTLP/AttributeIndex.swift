import TokenWatchCore

/// The configured attribute names, indexed once, so that a record's attributes are read in one pass with one
/// lookup each, instead of one scan of the list per field and name. Spans and log records alike.
struct AttributeIndex: Sendable {
    enum Field: Int, CaseIterable, Sendable {
        case user, team, agent, session, model, inputTokens, outputTokens, prompt, output, operation
        /// Claude Code's cached context, added to its input (``LogRecordTranslator``).
        case cacheRead, cacheCreation
        /// A W3C baggage header's text, with `bridge.user_from_baggage` (``W3CBaggage``).
        case baggage
    }

    struct Slot: Sendable {
        var field: Field
        /// The name's place in its field's list: a lower rank wins.
        var rank: Int32
    }

    private let slots: [String: [Slot]]
    /// The same, by the FNV-1a hash of the name's bytes: the wire reader looks keys up without making a String.
    private let slotsByHash: [UInt64: [(name: [UInt8], slots: [Slot])]]

    /// Each field with the names that give it, best first.
    init(_ lists: [Field: [String]]) {
        var slots: [String: [Slot]] = [:]
        for (field, list) in lists {
            for (rank, name) in list.enumerated() {
                slots[name, default: []].append(Slot(field: field, rank: Int32(rank)))
            }
        }
        self.slots = slots
        var byHash: [UInt64: [(name: [UInt8], slots: [Slot])]] = [:]
        for (name, found) in slots { byHash[FNV1a.hash(name), default: []].append((Array(name.utf8), found)) }
        slotsByHash = byHash
    }

    /// The configured names by field, the operation name every GenAI span carries, and with
    /// `bridge.user_from_baggage` the attributes that carry a W3C baggage header.
    static func lists(_ settings: BridgeConfiguration) -> [Field: [String]] {
        let names = settings.attributes
        return [
            .user: names.user, .team: names.team, .agent: names.agent, .session: names.session, .model: names.model,
            .inputTokens: names.inputTokens, .outputTokens: names.outputTokens, .prompt: names.prompt,
            .output: names.output, .operation: ["gen_ai.operation.name"],
            .baggage: settings.userFromBaggage ? W3CBaggage.attributes : [],
        ]
    }

    func slots(forKey key: String) -> [Slot]? { slots[key] }

    func slots(forKey key: UnsafeRawBufferPointer) -> [Slot]? {
        slotsByHash[FNV1a.hash(bytes: key)]?.first { $0.name.elementsEqual(key) }?.slots
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
