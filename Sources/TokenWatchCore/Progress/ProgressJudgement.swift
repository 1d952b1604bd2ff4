/// The shared judgement of one call: did it build on what came before (progress), go round without
/// accumulating (churn), or is there nothing to tell by (unknown)?
///
/// Progress is work that builds on itself: the context carries what came before and grows by what the last
/// step added, what comes back from the world changes, outputs are consumed. Churn does not accumulate: the
/// same context resent, one-shot calls at machine rate with nothing linking them, the same few texts going
/// round, the same result coming back. Novel text alone is not progress (a template with a random slot is
/// novel), and boilerplate that repeats inside accumulating work is not churn.
public enum ProgressJudgement: String, Sendable, Codable, CaseIterable {
    case progress
    case churn
    case unknown
}

/// Why a call was judged as it was: the words an alert's summary and figures use.
public enum ProgressReason: String, Sendable, Codable, CaseIterable {
    /// Its context grew by what a step adds, as it has for several calls in a row.
    case contextGrew = "context_grew"
    /// An accumulated context was compacted and the session goes on.
    case contextCompacted = "context_compacted"
    /// Something new, asked at a person's pace (a person, or an agent a person triggered).
    case newAtPersonPace = "new_at_person_pace"
    /// The same result came back: the stream's previous prompt (its last tool result) again, or a text of
    /// the few its recent prompts go round, however the context grew.
    case sameResult = "same_result"
    /// The same context resent: the same input size as the stream's last call.
    case contextResent = "context_resent"
    /// A prompt (or answer) repeated, nearly repeated or fed back, with no context carried on.
    case repeated
    /// New text, but machine-paced and linked to nothing: no context carried on.
    case unlinked
    /// No content and no usable token history, or new content from a context that has only begun to grow:
    /// nothing to tell by yet.
    case unknown

    public var judgement: ProgressJudgement {
        switch self {
        case .contextGrew, .contextCompacted, .newAtPersonPace: .progress
        case .sameResult, .contextResent, .repeated, .unlinked: .churn
        case .unknown: .unknown
        }
    }

    /// Whether the call's context carried on what came before.
    public var accumulated: Bool { self == .contextGrew || self == .contextCompacted }
}

/// What a stream's memory tells about one call, from which ``ProgressReason/of(_:)`` decides.
struct StreamEvidence: Sendable {
    var novelty: CallNovelty
    var context: ContextTrail.Change
    var accumulating: Bool
    /// The prompt is the stream's previous prompt again, or one of the few its recent prompts go round.
    var sameResult: Bool
    /// A person set the call off (no agent, or an agent whose parent is the person) and the stream's calls
    /// come at a person's pace.
    var personPaced: Bool
}

extension ProgressReason {
    /// The rule, in order: accumulation first (it excuses repeated boilerplate, not the same result coming
    /// back), then a context resent at the same size, then the content at the pace it came.
    static func of(_ evidence: StreamEvidence) -> ProgressReason {
        if evidence.accumulating {
            if evidence.sameResult { return .sameResult }
            return evidence.context == .compacted ? .contextCompacted : .contextGrew
        }
        if evidence.context == .resent { return evidence.sameResult ? .sameResult : .contextResent }
        switch evidence.novelty {
        case .new where evidence.personPaced: return .newAtPersonPace
        // A context that has only begun to grow (or has no history yet) may be an agent's first steps: new
        // content there is not yet evidence either way. Without growth it is linked to nothing.
        case .new where evidence.context == .grew || evidence.context == .first: return .unknown
        case .new: return .unlinked
        case .repeated, .nearRepeat, .fedBack, .outputRepeated: return evidence.sameResult ? .sameResult : .repeated
        case .unknown: return .unknown
        }
    }
}
