/// Per user: input tokens spent on contexts resent without growth, such as the same large pasted context sent
/// again and again, or a session's context resent unchanged with a repeated prompt.
///
/// A call is padding when it carries a large context (`minInputTokens`), at the same or nearly the same size
/// as before (the size the repeated prompt was sent with, within 2%, or the stream's last size), and its
/// content is the same or nothing new (an exact or near repeat, output fed back, or a confirmation answered
/// as before: see ``CallNovelty``). A context that grew is never padding, however its prompt repeats: an
/// agent's tool results repeat boilerplate while its context accumulates.
/// An incident needs `minCalls` padded calls and `minPaddedTokens` padded input tokens within the window,
/// making at least `minPaddedShare` of the person's input tokens: large contexts are ordinary for agents, a
/// retry now and then is too, but a window spent mostly on resending is not work. Calls whose content is
/// unknown are never padding: without content there is no telling a resent context from a new one. A person's
/// input is counted from their first padded call within the window (the share is then an upper bound over a
/// shorter span, which the count and token floors keep honest).
public struct ContextPaddingDetector: Sendable, Codable {
    public var configuration = ContextPaddingConfiguration()
    var subjects = SubjectTable<String, PaddingWindow>()

    private enum CodingKeys: String, CodingKey { case subjects = "users" }

    public init(configuration: ContextPaddingConfiguration) {
        self.configuration = configuration
    }

    public mutating func ingest(
        _ event: TokenEvent, keys: EventKeys, progress: CallProgress, arrivedAt now: EventTime,
        with configuration: ContextPaddingConfiguration, into findings: inout [Finding]
    ) {
        guard configuration.enabled else { return }
        let novelty = progress.novelty
        let padded =
            novelty.isKnown && !novelty.isNew && progress.resentAtSameSize
            && event.inputTokens >= configuration.minInputTokens
        // A person is followed from their first padded call: most people never resend a context, and their
        // every call would otherwise cost a window here.
        let finding: Finding?
        if padded {
            finding = subjects.update(
                event.user, hash: String.subjectHash(keys.user), activeAt: now, orInsert: { PaddingWindow() },
                change: { $0.record(event, padded: padded, configuration) })
        } else {
            finding =
                subjects.updateIfPresent(
                    event.user, hash: String.subjectHash(keys.user), activeAt: now,
                    change: { $0.record(event, padded: padded, configuration) }) ?? nil
        }
        if let finding { findings.append(finding) }
    }
}

extension ContextPaddingDetector: SubjectTableDetector {
    static let name = DetectorName.contextPadding
}

extension DetectorSettings {
    public var contextPadding: ContextPaddingConfiguration {
        get { self[ContextPaddingDetector.self] }
        set { self[ContextPaddingDetector.self] = newValue }
    }
}

extension DetectorName {
    public static let contextPadding = DetectorName(declaring: "context_padding")
}
