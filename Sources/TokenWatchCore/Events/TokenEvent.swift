/// One model call, as published by an AI gateway or agent platform, after validation.
///
/// The prompt text is not kept: the decoder turns it into a ``PromptFingerprint`` and forgets it, so no
/// later stage (detectors, alerts, checkpoints) can leak it.
public struct TokenEvent: Sendable, Equatable {
    public var time: EventTime
    public var user: String
    public var inputTokens: Int64
    public var outputTokens: Int64
    public var id: String?
    public var agent: String?
    public var parent: String?
    public var session: String?
    public var model: String?
    public var tool: String?
    public var team: String?
    /// The user's IANA time zone, such as `Europe/Berlin`.
    public var timeZone: String?
    /// A fingerprint of the prompt, from its text when sent, else from `prompt_hash`.
    public var prompt: PromptFingerprint?
    public var promptHash: String?
    public var outputHash: String?
    /// Holds nothing. Declared so that the struct keeps a memberwise initialiser of its own signature (the public
    /// one is in the extension below), which makes the value in place: an initialiser written out copies the
    /// value it made and destroys the first, retaining and releasing every string, and the decoder makes one
    /// event per payload.
    let madeInPlace: MadeInPlace

    /// The empty tag of ``madeInPlace``.
    struct MadeInPlace: Sendable, Equatable {}
}

extension TokenEvent {
    public init(
        time: EventTime, user: String, inputTokens: Int64, outputTokens: Int64, id: String? = nil,
        agent: String? = nil, parent: String? = nil, session: String? = nil, model: String? = nil,
        tool: String? = nil, team: String? = nil, timeZone: String? = nil, prompt: PromptFingerprint? = nil,
        promptHash: String? = nil, outputHash: String? = nil
    ) {
        self.time = time
        self.user = user
        self.inputTokens = inputTokens
        self.outputTokens = outputTokens
        self.id = id
        self.agent = agent
        self.parent = parent
        self.session = session
        self.model = model
        self.tool = tool
        self.team = team
        self.timeZone = timeZone
        self.prompt = prompt
        self.promptHash = promptHash
        self.outputHash = outputHash
        madeInPlace = MadeInPlace()
    }

    public var totalTokens: Int64 { inputTokens + outputTokens }
}
