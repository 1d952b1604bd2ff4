import Foundation

/// One attribute value, as translation needs it: text and numbers as such; a structured value (a message
/// list in `gen_ai.input.messages`) kept for ``PromptText``; anything else only known to be of another type.
enum AttributeValue: Sendable {
    case text(String)
    case integer(Int64)
    case double(Double)
    case structured(OTLPAnyValue)
    case other

    init?(_ value: OTLPAnyValue) {
        switch value.value {
        case .stringValue(let text): self = .text(text)
        case .intValue(let number): self = .integer(number)
        case .doubleValue(let number): self = .double(number)
        case .arrayValue, .kvlistValue: self = .structured(value)
        case .boolValue, .bytesValue: self = .other
        case nil: return nil
        }
    }

    /// A text field: a string, or an integer written out (numeric user ids are common).
    func text() throws(OTLPRecordRejection) -> String? {
        switch self {
        case .text(let text): return text.isEmpty ? nil : text
        case .integer(let number): return String(number)
        default: throw .wrongType
        }
    }

    /// A token count: an integer, or a string or a whole double holding one (JSON exporters differ).
    func count() throws(OTLPRecordRejection) -> Int64? {
        switch self {
        case .integer(let number):
            guard number >= 0 else { throw .wrongType }
            return number
        case .text(let text):
            guard let number = Int64(text), number >= 0 else { throw .wrongType }
            return number
        case .double(let number):
            guard number >= 0, number < 9e18, number.rounded() == number else { throw .wrongType }
            return Int64(number)
        default: throw .wrongType
        }
    }

    var prompt: String? {
        switch self {
        case .text(let text): return PromptText.of(text: text)
        case .structured(let value): return PromptText.of(value)
        default: return nil
        }
    }

    var output: String? {
        switch self {
        case .text(let text): return PromptText.output(text: text)
        case .structured(let value): return PromptText.output(value)
        default: return nil
        }
    }
}

/// The fields of a token event found on one record, by ``AttributeIndex/Field``. Stored properties rather than
/// a collection: one per span, with no allocation of its own.
struct FieldValues: Sendable {
    var user, team, agent, session, model, inputTokens, outputTokens, prompt, output, operation: AttributeValue?
    var cacheRead, cacheCreation, baggage: AttributeValue?

    subscript(field: AttributeIndex.Field) -> AttributeValue? {
        get {
            switch field {
            case .user: user
            case .team: team
            case .agent: agent
            case .session: session
            case .model: model
            case .inputTokens: inputTokens
            case .outputTokens: outputTokens
            case .prompt: prompt
            case .output: output
            case .operation: operation
            case .cacheRead: cacheRead
            case .cacheCreation: cacheCreation
            case .baggage: baggage
            }
        }
        set {
            switch field {
            case .user: user = newValue
            case .team: team = newValue
            case .agent: agent = newValue
            case .session: session = newValue
            case .model: model = newValue
            case .inputTokens: inputTokens = newValue
            case .outputTokens: outputTokens = newValue
            case .prompt: prompt = newValue
            case .output: output = newValue
            case .operation: operation = newValue
            case .cacheRead: cacheRead = newValue
            case .cacheCreation: cacheCreation = newValue
            case .baggage: baggage = newValue
            }
        }
    }

    /// Fills the fields this record lacks from its resource's. Field by field rather than over `allCases`: it
    /// runs for every span, and the loop cost more than the rest of the span's translation but its reading.
    mutating func fallBack(to resource: FieldValues) {
        if user == nil { user = resource.user }
        if team == nil { team = resource.team }
        if agent == nil { agent = resource.agent }
        if session == nil { session = resource.session }
        if model == nil { model = resource.model }
        if inputTokens == nil { inputTokens = resource.inputTokens }
        if outputTokens == nil { outputTokens = resource.outputTokens }
        if prompt == nil { prompt = resource.prompt }
        if output == nil { output = resource.output }
        if operation == nil { operation = resource.operation }
        if cacheRead == nil { cacheRead = resource.cacheRead }
        if cacheCreation == nil { cacheCreation = resource.cacheCreation }
        if baggage == nil { baggage = resource.baggage }
    }

    func text(_ field: AttributeIndex.Field) throws(OTLPRecordRejection) -> String? { try self[field]?.text() }

    /// The person: the configured user attributes, else `user.id` in a W3C baggage header when one was read.
    func person() throws(OTLPRecordRejection) -> String? {
        if let user = try text(.user) { return user }
        return baggage.flatMap(W3CBaggage.user)
    }
    func count(_ field: AttributeIndex.Field) throws(OTLPRecordRejection) -> Int64? { try self[field]?.count() }
}

/// A span as translation reads it, from either decoder: the generated messages (JSON) or the wire reader
/// (protobuf).
struct SpanRecord: Sendable {
    /// The event id (``SpanEventID``), and the span id as a table key.
    var id: String
    var key: UInt64?
    var parent: UInt64?
    var startNanoseconds: UInt64
    /// Whether the span carries GenAI attributes (a `gen_ai.*` key of its own, or a token count).
    var isGenAI: Bool
    var fields: FieldValues
}
