/// Whether a call brought something new: TokenWatch's measure of progress, worked out once per event by
/// ``ProgressTracker`` and read by the detectors that judge volume and loops.
///
/// Busywork is volume without progress. A call makes progress when it asks something its stream (a person's
/// own calls, or one of their agents) has not asked within the last hour, or, when all it says is
/// "continue", when its answer is new. It makes none when it repeats a recent prompt exactly (same text
/// after normalisation, or same `prompt_hash`) or nearly (text only), when its prompt is the stream's own
/// recent output fed back, or when its answer repeats a recent one. A "continue" with no answer to judge by
/// makes progress when the session's context grew since the stream's last call (an agent's context grows as it
/// works; padding resends the same one).
public enum CallNovelty: String, Sendable, Codable, CaseIterable {
    /// New content: a prompt not seen lately, or a short confirmation that got a new answer (or, with no
    /// answer to judge by, was sent with a session context that grew since the stream's last call).
    case new
    /// The same prompt as a recent one (normalised text or `prompt_hash`).
    case repeated
    /// Nearly the same text as a recent prompt (Jaccard similarity of words and pairs ≥ 0.6).
    case nearRepeat = "near_repeat"
    /// The stream's own recent output sent back as its prompt.
    case fedBack = "fed_back"
    /// A short confirmation (or no prompt) whose answer repeats a recent one.
    case outputRepeated = "output_repeated"
    /// Nothing to judge by: no prompt or prompt hash, and no output hash where the prompt says nothing.
    case unknown

    /// Whether the call carries content to judge by.
    public var isKnown: Bool { self != .unknown }
    /// Whether the call made progress.
    public var isNew: Bool { self == .new }
}

/// What the detectors learn about a call before judging it: whether it built on what came before (see
/// ``ProgressJudgement``) and why, whether its content was new in its stream, and whether one of the person's
/// own agents triggered it (a step of a loop or a crew, which `agent_loop` judges as a whole).
public struct CallProgress: Sendable, Equatable {
    /// Whether the call's text (or hash, or answer) was new in its stream: what `repetitive_prompts` and
    /// `trivial_flood` read, and what `offhours_burst` reads when told to count new text as progress.
    public var novelty: CallNovelty
    /// Why the call was judged progress, churn or unknown.
    public var reason: ProgressReason
    /// The call's `parent` is another agent of the same person that made calls within the last hour.
    public var inAgentChain: Bool
    /// A repeated or nearly repeated prompt sent with (nearly) the context it had before, or a context resent
    /// at the stream's last size: what `context_padding` counts.
    public var resentAtSameSize: Bool

    public init(
        novelty: CallNovelty, reason: ProgressReason = .unknown, inAgentChain: Bool = false,
        resentAtSameSize: Bool = false
    ) {
        self.novelty = novelty
        self.reason = reason
        self.inAgentChain = inAgentChain
        self.resentAtSameSize = resentAtSameSize
    }

    public var judgement: ProgressJudgement { reason.judgement }

    public static let unknown = CallProgress(novelty: .unknown)
}
