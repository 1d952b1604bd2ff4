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
    private let hashSeed = SubjectHash.processSeed

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
        guard Self.plausibleTimes.contains(time) else { return Self.reject(.outOfRange, "ts") }
        guard fields.input_tokens <= limits.maxTokensPerEvent else { return Self.reject(.outOfRange, "input_tokens") }
        guard fields.output_tokens <= limits.maxTokensPerEvent else { return Self.reject(.outOfRange, "output_tokens") }
        // In the order the fields are checked (the first too-long one is reported); every check comes before the
        // strings of the event are made, so that a refused event makes none.
        guard fits(fields.user) else { return Self.reject(.fieldTooLong, "user") }
        guard let user = bytes(of: fields.user).map({ identities.intern($0) }), !user.text.isEmpty else {
            return Self.reject(.emptyField, "user")
        }
        if let field = firstTooLong(fields) { return Self.reject(.fieldTooLong, field) }
        let timeZone = bytes(of: fields.tz).map { timeZones.intern($0) }
        if let timeZone, !timeZone.facts { return Self.reject(.badTimeZone, "tz") }
        guard fits(fields.prompt_hash) else { return Self.reject(.fieldTooLong, "prompt_hash") }
        guard fits(fields.output_hash) else { return Self.reject(.fieldTooLong, "output_hash") }
        let idBytes = bytes(of: fields.id)
        let agent = bytes(of: fields.agent).map { identities.intern($0) }
        let parent = bytes(of: fields.parent).map { identities.intern($0) }
        let session = bytes(of: fields.session).map { names.intern($0) }
        // The identities interner sees agent, parent, then team, as before; model and tool have their own.
        let team = bytes(of: fields.team).map { identities.intern($0) }
        let promptHashBytes = bytes(of: fields.prompt_hash)
        let prompt: PromptFingerprint? =
            if let text = fields.prompt.data {
                // The text is fingerprinted in place and never copied into a Swift string.
                PromptFingerprint(text: UnsafeRawBufferPointer(start: text, count: fields.prompt.length))
            } else {
                promptHashBytes.map { PromptFingerprint(exact: PromptFingerprint.exact(opaqueHash: $0), shingles: []) }
            }
        // Both made by their memberwise initialisers, in place (see ``TokenEvent/madeInPlace``).
        let event = TokenEvent(
            time: time, user: user.text, inputTokens: fields.input_tokens, outputTokens: fields.output_tokens,
            id: idBytes.map(Self.string), agent: agent?.text, parent: parent?.text, session: session?.text,
            model: bytes(of: fields.model).map { names.intern($0).text },
            tool: bytes(of: fields.tool).map { names.intern($0).text },
            team: team?.text, timeZone: timeZone?.text,
            prompt: prompt, promptHash: promptHashBytes.map(Self.string),
            outputHash: bytes(of: fields.output_hash).map(Self.string), madeInPlace: TokenEvent.MadeInPlace())
        let keys = EventKeys(
            user: user.hash, agent: agent?.hash, parent: parent?.hash, session: session?.hash,
            timeZone: timeZone?.hash, team: team?.hash)
        let idHash = idBytes.map { SubjectHash.hash($0, seed: hashSeed) } ?? 0
        assert(keys.match(event), "the keys must be the hashes of the event's ids")
        assert(user.facts == VirtualShard.of(user: event.user), "the shard must be the user's")
        assert(idHash == event.id.map(SubjectHash.hash) ?? 0, "the id's hash must be its SubjectHash")
        return DecodedEvent(event: event, rejection: nil, shard: user.facts, idHash: idHash, keys: keys)
    }

    /// The first of the ids checked after the user (`id` to `team`, then `tz`) that is longer than allowed.
    private func firstTooLong(_ fields: tw_event_fields) -> String? {
        if !fits(fields.id) { return "id" }
        if !fits(fields.agent) { return "agent" }
        if !fits(fields.parent) { return "parent" }
        if !fits(fields.session) { return "session" }
        if !fits(fields.model) { return "model" }
        if !fits(fields.tool) { return "tool" }
        if !fits(fields.team) { return "team" }
        if !fits(fields.tz) { return "tz" }
        return nil
    }

    private func fits(_ string: tw_string) -> Bool { string.length <= limits.maxIdentifierBytes }

    private func bytes(of string: tw_string) -> UnsafeRawBufferPointer? {
        string.data.map { UnsafeRawBufferPointer(start: $0, count: string.length) }
    }

    /// An id that is new with nearly every event (the event's own id, the content hashes), as sent: the parser
    /// has validated the UTF-8 already. Copied into the string's storage as it is made, which for a short id
    /// (in place, no allocation) costs about half of `String(decoding:as:)`'s general path.
    private static func string(_ bytes: UnsafeRawBufferPointer) -> String {
        String(unsafeUninitializedCapacity: bytes.count) { storage in
            UnsafeMutableRawBufferPointer(storage).copyMemory(from: bytes)
            return bytes.count
        }
    }

    private static func reject(_ reason: RejectionReason, _ field: String) -> DecodedEvent {
        DecodedEvent(rejection: EventRejection(reason, field: field))
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
