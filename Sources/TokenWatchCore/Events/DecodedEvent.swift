/// What one payload decoded to: an event, or why there is none. Laid out to be read where it lies.
///
/// Why not `Result<TokenEvent, EventRejection>`: matching a `Result` binds a copy of its event, which retains
/// every string and the sketch of the event (and releases them after), atomically, on objects another thread
/// made and will free. Between decoding and detection that happened once per stage, for every event. A
/// stored `event` is handed to the engine in place: `engine.process(decoded.event, into: &alerts)`.
public struct DecodedEvent: Sendable {
    /// The event; an empty one (no user, time 0) when ``rejection`` is set.
    public private(set) var event: TokenEvent
    /// Why the payload was refused, or `nil` when ``event`` holds what it decoded to.
    public private(set) var rejection: EventRejection?
    /// The user's ``VirtualShard`` and the hash of the event's id (0 without one), worked out where the event is
    /// made, on the decoding thread: the detection thread admits events one after the other, and what it need
    /// not do there is time every other thread would wait for.
    public let shard: Int
    let idHash: UInt64
    /// The hashes of the ids the detectors' tables key on, also worked out on the decoding thread.
    let keys: EventKeys
}

// The initialisers are in an extension so that the struct keeps its memberwise initialiser, with which the decoder
// makes the value in place: an initialiser written out copies the value it made and destroys the first (retaining
// and releasing every string).
extension DecodedEvent {
    public init(_ event: consuming TokenEvent) {
        let keys = EventKeys(of: event)
        self.init(event, keys: keys)
    }

    /// An event whose ids' hashes are known already. `consuming`, so that the decoder's event is moved in
    /// rather than copied (a copy retains each of its strings).
    init(_ event: consuming TokenEvent, keys: EventKeys) {
        let shard = VirtualShard.of(user: event.user)
        let idHash = event.id.map(SubjectHash.hash) ?? 0
        self.init(event, keys: keys, shard: shard, idHash: idHash)
    }

    /// An event whose ids' hashes, user's shard and id's hash are known already: the decoder's, which works
    /// out the shard once per id as it interns them (``IdentifierInterner``) and hashes the id's bytes.
    init(_ event: consuming TokenEvent, keys: EventKeys, shard: Int, idHash: UInt64) {
        assert(keys.match(event), "the keys must be the hashes of the event's ids")
        assert(shard == VirtualShard.of(user: event.user), "the shard must be the user's")
        assert(idHash == event.id.map(SubjectHash.hash) ?? 0, "the id's hash must be its SubjectHash")
        self.shard = shard
        self.idHash = idHash
        rejection = nil
        self.keys = keys
        self.event = event
    }

    public init(rejection: EventRejection) {
        event = TokenEvent(time: EventTime(milliseconds: 0), user: "", inputTokens: 0, outputTokens: 0)
        self.rejection = rejection
        shard = 0
        idHash = 0
        keys = EventKeys(of: event)
    }

    public init(_ result: Result<TokenEvent, EventRejection>) {
        switch result {
        case .success(let event): self.init(event)
        case .failure(let rejection): self.init(rejection: rejection)
        }
    }

    /// The same outcome as a `Result`, for callers that match on it.
    public var result: Result<TokenEvent, EventRejection> {
        if let rejection { .failure(rejection) } else { .success(event) }
    }
}
