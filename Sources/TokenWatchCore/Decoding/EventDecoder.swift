import CEventJSON
import Foundation

/// Turns one token-event payload (UTF-8 JSON) into a validated ``TokenEvent``, or says why not.
///
/// Parsing is simdjson's (through `CEventJSON`); validation of lengths and ranges is here. One decoder
/// holds reusable parser buffers and must stay on one thread.
public final class EventDecoder {
    public struct Limits: Sendable, Equatable {
        /// Payloads larger than this are refused before parsing.
        public var maxPayloadBytes: Int
        /// JSON nested deeper than this is refused.
        public var maxDepth: Int
        /// Longest accepted id-like string (`user`, `agent`, `id`, …), in bytes.
        public var maxIdentifierBytes: Int
        /// Largest accepted `input_tokens` or `output_tokens` of one call.
        public var maxTokensPerEvent: Int64
        /// Whether `user`, `agent`, `parent` and `team` are normalised (``IdentityNormalization``).
        public var normalizesIdentities: Bool

        public init(
            maxPayloadBytes: Int = 65_536, maxDepth: Int = 16, maxIdentifierBytes: Int = 256,
            maxTokensPerEvent: Int64 = 10_000_000, normalizesIdentities: Bool = true
        ) {
            self.maxPayloadBytes = maxPayloadBytes
            self.maxDepth = maxDepth
            self.maxIdentifierBytes = maxIdentifierBytes
            self.maxTokensPerEvent = maxTokensPerEvent
            self.normalizesIdentities = normalizesIdentities
        }
    }

    /// The earliest and latest event times accepted at all (2000-01-01 and 2100-01-01): anything outside
    /// is a unit mistake (seconds for milliseconds) or garbage.
    public static let plausibleTimes =
        EventTime(milliseconds: 946_684_800_000)...EventTime(milliseconds: 4_102_444_800_000)

    public let limits: Limits
    private let parser: OpaquePointer
    /// The ids events repeat, made once (``IdentifierInterner``): those that name subjects, normalised when
    /// the limits say so, with the virtual shard each would have as a user; time zones, with whether each
    /// exists (``TimeZoneNames``); the others (session, model, tool) as sent. Event ids and content hashes are
    /// new with nearly every event and are made afresh.
    private let identities: IdentifierInterner<Int>
    private let timeZones = IdentifierInterner<Bool>(slots: 256, facts: TimeZoneNames.names)
    private let names = IdentifierInterner<Void>(slots: 4096)

    public init(limits: Limits = Limits()) {
        self.limits = limits
        let normalizes = limits.normalizesIdentities
        // The shard is worked out from the id kept, which is normalised already when normalisation is on.
        identities = IdentifierInterner(
            slots: 4096, transform: { normalizes ? IdentityNormalization.normalized($0) : $0 },
            facts: { normalizes ? VirtualShard.of(normalizedUser: $0) : VirtualShard.of(user: $0) })
        guard let parser = tw_parser_create(limits.maxPayloadBytes, limits.maxDepth) else {
            fatalError("simdjson could not allocate a parser of \(limits.maxPayloadBytes) bytes")
        }
        self.parser = parser
    }

    deinit { tw_parser_destroy(parser) }

    /// Decodes one payload, for the hot path: the outcome is laid out to be read in place (see ``DecodedEvent``).
    public func decodeEvent(_ payload: UnsafeRawBufferPointer) -> DecodedEvent {
        if payload.count > limits.maxPayloadBytes { return DecodedEvent(rejection: EventRejection(.tooLarge)) }
        var fields = tw_event_fields()
        var field: UnsafePointer<CChar>?
        let status = tw_parse_event(parser, payload.baseAddress, payload.count, &fields, &field)
        guard status == TW_OK else {
            return DecodedEvent(
                rejection: EventRejection(Self.reason(status), field: field.map { String(cString: $0) }))
        }
        return validate(fields)
    }

    /// Decodes one payload.
    public func decode(_ payload: UnsafeRawBufferPointer) -> Result<TokenEvent, EventRejection> {
        decodeEvent(payload).result
    }

    /// Decodes one payload given as bytes.
    public func decode(_ payload: [UInt8]) -> Result<TokenEvent, EventRejection> {
        payload.withUnsafeBytes { decode($0) }
    }

    /// Decodes one payload given as a string (a line of a replay file).
    public func decode(_ payload: String) -> Result<TokenEvent, EventRejection> {
        var payload = payload
        return payload.withUTF8 { decode(UnsafeRawBufferPointer($0)) }
    }

    private func validate(_ fields: tw_event_fields) -> DecodedEvent {
        let time = EventTime(milliseconds: fields.ts_ms)
        guard Self.plausibleTimes.contains(time) else {
            return DecodedEvent(rejection: EventRejection(.outOfRange, field: "ts"))
        }
        guard fields.input_tokens <= limits.maxTokensPerEvent else {
            return DecodedEvent(rejection: EventRejection(.outOfRange, field: "input_tokens"))
        }
        guard fields.output_tokens <= limits.maxTokensPerEvent else {
            return DecodedEvent(rejection: EventRejection(.outOfRange, field: "output_tokens"))
        }
        do {
            guard let user = try identity(fields.user, "user"), !user.text.isEmpty else {
                return DecodedEvent(rejection: EventRejection(.emptyField, field: "user"))
            }
            // In the order the fields are checked (the first too-long one is reported).
            let idBytes = try bytes(of: fields.id, "id")
            let id = idBytes.map { String(decoding: $0, as: UTF8.self) }
            let agent = try identity(fields.agent, "agent")
            let parent = try identity(fields.parent, "parent")
            let session = try name(fields.session, "session")
            let model = try name(fields.model, "model")
            let tool = try name(fields.tool, "tool")
            let team = try identity(fields.team, "team")
            let timeZone = try bytes(of: fields.tz, "tz").map { timeZones.intern($0) }
            if let timeZone, !timeZone.facts {
                return DecodedEvent(rejection: EventRejection(.badTimeZone, field: "tz"))
            }
            let promptHash = try identifier(fields.prompt_hash, "prompt_hash")
            let outputHash = try identifier(fields.output_hash, "output_hash")
            let prompt: PromptFingerprint? =
                if let text = fields.prompt.data {
                    // The text is fingerprinted in place and never copied into a Swift string.
                    PromptFingerprint(text: UnsafeRawBufferPointer(start: text, count: fields.prompt.length))
                } else {
                    promptHash.map { PromptFingerprint(opaqueHash: $0) }
                }
            let event = TokenEvent(
                time: time, user: user.text, inputTokens: fields.input_tokens, outputTokens: fields.output_tokens,
                id: id, agent: agent?.text, parent: parent?.text, session: session?.text, model: model?.text,
                tool: tool?.text, team: team?.text, timeZone: timeZone?.text, prompt: prompt, promptHash: promptHash,
                outputHash: outputHash)
            let keys = EventKeys(
                user: user.hash, agent: agent?.hash, parent: parent?.hash, session: session?.hash,
                timeZone: timeZone?.hash, team: team?.hash)
            return DecodedEvent(event, keys: keys, shard: user.facts, idHash: idBytes.map(SubjectHash.hash) ?? 0)
        } catch {
            return DecodedEvent(rejection: error)
        }
    }

    /// An id that names a subject (user, agent, parent, team): normalised when the limits say so.
    private func identity(
        _ string: tw_string, _ field: String
    ) throws(EventRejection) -> IdentifierInterner<Int>.Interned? {
        try bytes(of: string, field).map { identities.intern($0) }
    }

    /// A repeated id that names no subject (session, model, tool), as sent.
    private func name(_ string: tw_string, _ field: String) throws(EventRejection) -> IdentifierInterner<Void>.Interned?
    {
        try bytes(of: string, field).map { names.intern($0) }
    }

    /// An id that is new with nearly every event (the content hashes; the event's own id is made the same way
    /// where its bytes are hashed too), as sent.
    private func identifier(_ string: tw_string, _ field: String) throws(EventRejection) -> String? {
        // simdjson has validated the UTF-8 already.
        try bytes(of: string, field).map { String(decoding: $0, as: UTF8.self) }
    }

    private func bytes(of string: tw_string, _ field: String) throws(EventRejection) -> UnsafeRawBufferPointer? {
        guard let data = string.data else { return nil }
        guard string.length <= limits.maxIdentifierBytes else { throw EventRejection(.fieldTooLong, field: field) }
        return UnsafeRawBufferPointer(start: data, count: string.length)
    }

    private static func reason(_ status: tw_status) -> RejectionReason {
        switch status {
        case TW_ERR_TOO_LARGE: .tooLarge
        case TW_ERR_JSON: .malformedJSON
        case TW_ERR_UTF8: .invalidUTF8
        case TW_ERR_DEPTH: .tooDeep
        case TW_ERR_NOT_OBJECT: .notAnObject
        case TW_ERR_MISSING_FIELD: .missingField
        case TW_ERR_WRONG_TYPE: .wrongType
        case TW_ERR_BAD_TIMESTAMP: .badTimestamp
        case TW_ERR_OUT_OF_RANGE: .outOfRange
        default: .internalError
        }
    }
}

@available(*, unavailable)
extension EventDecoder: Sendable {}
