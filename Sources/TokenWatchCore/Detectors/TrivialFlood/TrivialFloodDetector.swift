/// Per user: trivial prompts ("ok", "continue", a word or two) at a rate no conversation has.
///
/// A person says "continue" now and then; forty times in ten minutes is a loop keeping a counter busy.
/// Without prompt text, a call is trivial when its input is tiny. A "continue" that carries a session's
/// context and gets a new answer is a person steering an agent through work, and is not counted.
public struct TrivialFloodDetector: Sendable, Codable {
    public var configuration = TrivialFloodConfiguration()
    var subjects = SubjectTable<String, TrivialCalls>()

    private enum CodingKeys: String, CodingKey { case subjects = "users" }

    public init(configuration: TrivialFloodConfiguration) {
        self.configuration = configuration
    }

    public mutating func ingest(
        _ event: TokenEvent, keys: EventKeys, progress: CallProgress, arrivedAt now: EventTime,
        with configuration: TrivialFloodConfiguration, into findings: inout [Finding]
    ) {
        guard configuration.enabled else { return }
        let trivial: Bool
        if let words = event.prompt?.wordCount {
            trivial = words <= configuration.maxPromptWords
        } else {
            trivial = event.inputTokens <= configuration.maxInputTokens
        }
        guard trivial else { return }
        if progress.novelty.isNew && event.inputTokens >= configuration.steeringContextTokens { return }
        let finding = subjects.update(
            event.user, hash: String.subjectHash(keys.user), activeAt: now,
            orInsert: { TrivialCalls(capacity: max(4 * configuration.minCalls, 64)) },
            change: {
                $0.record(event, configuration)
            })
        if let finding { findings.append(finding) }
    }
}

struct TrivialCalls: Sendable, Codable {
    var calls: TimestampWindow
    var evidence = EvidenceRing()

    init(capacity: Int) { calls = TimestampWindow(capacity: capacity) }

    mutating func record(_ event: TokenEvent, _ configuration: TrivialFloodConfiguration) -> Finding? {
        calls.expire(before: event.time - configuration.window)
        calls.record(event.time)
        evidence.record(event.id)
        let count = calls.count
        guard count >= configuration.minCalls else { return nil }
        let minutes = configuration.window.milliseconds / 60_000
        return Finding(
            detector: .trivialFlood,
            key: event.user,
            subject: AlertSubject(user: event.user),
            time: event.time,
            windowStart: calls.oldest ?? event.time,
            excess: Double(count) / Double(configuration.minCalls),
            details: { [evidence] in
                FindingDetails(
                    observed: [
                        ("trivial_calls", .integer(Int64(count))),
                        ("window_seconds", .integer(configuration.window.milliseconds / 1000)),
                    ],
                    threshold: configuration.thresholds(\.minCalls, \.maxPromptWords),
                    summary:
                        "\(count) trivial prompts (\(configuration.maxPromptWords) words or fewer) within \(minutes) min",
                    evidence: evidence.ids)
            })
    }
}

extension TrivialFloodDetector: SubjectTableDetector {
    static let name = DetectorName.trivialFlood
    /// The key its state has always had in checkpoints.
    static let checkpointKey = "trivialFlood"
}

extension DetectorSettings {
    public var trivialFlood: TrivialFloodConfiguration {
        get { self[TrivialFloodDetector.self] }
        set { self[TrivialFloodDetector.self] = newValue }
    }
}

extension DetectorName {
    public static let trivialFlood = DetectorName(declaring: "trivial_flood")
}
