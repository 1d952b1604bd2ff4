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

/// One user's input tokens per minute within the window, and how much of it was padding.
struct PaddingWindow: Sendable, Codable {
    struct Minute: Sendable, Codable {
        var minute: Int64
        var input: Int64
        var padded: Int64
        var paddedCalls: Int32
    }

    var minutes: [Minute] = []
    var input: Int64 = 0
    var padded: Int64 = 0
    var paddedCalls: Int64 = 0
    var evidence = EvidenceRing()

    mutating func record(_ event: TokenEvent, padded isPadded: Bool, _ configuration: ContextPaddingConfiguration)
        -> Finding?
    {
        let minute = event.time.milliseconds / 60_000
        let windowMinutes = max(configuration.window.milliseconds / 60_000, 1)
        while let first = minutes.first, first.minute <= minute - windowMinutes {
            input -= first.input
            padded -= first.padded
            paddedCalls -= Int64(first.paddedCalls)
            minutes.removeFirst()
        }
        let paddedTokens = isPadded ? event.inputTokens : 0
        let paddedCall: Int32 = isPadded ? 1 : 0
        // A slightly late event goes to the newest minute rather than reorder.
        if let last = minutes.last, last.minute >= minute {
            minutes[minutes.count - 1].input += event.inputTokens
            minutes[minutes.count - 1].padded += paddedTokens
            minutes[minutes.count - 1].paddedCalls += paddedCall
        } else {
            minutes.append(
                Minute(minute: minute, input: event.inputTokens, padded: paddedTokens, paddedCalls: paddedCall))
        }
        input += event.inputTokens
        padded += paddedTokens
        paddedCalls += Int64(paddedCall)
        guard isPadded else { return nil }
        evidence.record(event.id)

        guard paddedCalls >= configuration.minCalls, padded >= configuration.minPaddedTokens,
            Double(padded) >= configuration.minPaddedShare * Double(max(input, 1))
        else { return nil }
        let share = (Double(padded) / Double(max(input, 1)) * 100).rounded() / 100
        let windowStart = EventTime(milliseconds: (minutes.first?.minute ?? minute) * 60_000)
        return Finding(
            detector: .contextPadding,
            key: event.user,
            subject: AlertSubject(user: event.user),
            time: event.time,
            windowStart: windowStart,
            excess: Double(padded) / Double(max(configuration.minPaddedTokens, 1)),
            details: { [paddedCalls, padded, input, evidence] in
                FindingDetails(
                    observed: [
                        ("padded_calls", .integer(paddedCalls)),
                        ("padded_input_tokens", .integer(padded)),
                        ("input_tokens", .integer(input)),
                        ("padded_share", .number(share)),
                        ("window_seconds", .integer(windowMinutes * 60)),
                    ],
                    threshold: [
                        ("min_input_tokens", .integer(configuration.minInputTokens)),
                        ("min_calls", .integer(Int64(configuration.minCalls))),
                        ("min_padded_tokens", .integer(configuration.minPaddedTokens)),
                        ("min_padded_share", .number(configuration.minPaddedShare)),
                    ],
                    summary: "\(padded) input tokens in \(paddedCalls) calls resent large contexts at the same size "
                        + "with nothing new within \(windowMinutes) min (\(Int((share * 100).rounded()))% of this person's input)",
                    evidence: evidence.ids)
            })
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
