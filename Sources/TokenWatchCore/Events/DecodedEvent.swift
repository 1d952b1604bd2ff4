/// What one payload decoded to: an event, or why there is none. Laid out to be read where it lies.
///
/// Why not `Result<TokenEvent, EventRejection>`: matching a `Result` binds a copy of its event, which retains
/// every string and the sketch of the event (and releases them after), atomically, on objects another thread
/// made and will free. Between decoding and detection that happened once per stage, for every event. A
/// stored `event` is handed to the engine in place: `engine.process(decoded.event, into: &alerts)`.
public struct DecodedEvent: Sendable {
    /// The event; an empty one (no user, time 0) when ``rejection`` is set.
    public var event: TokenEvent
    /// Why the payload was refused, or `nil` when ``event`` holds what it decoded to.
    public var rejection: EventRejection?

    public init(_ event: TokenEvent) {
        self.event = event
        rejection = nil
    }

    public init(rejection: EventRejection) {
        event = TokenEvent(time: EventTime(milliseconds: 0), user: "", inputTokens: 0, outputTokens: 0)
        self.rejection = rejection
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
