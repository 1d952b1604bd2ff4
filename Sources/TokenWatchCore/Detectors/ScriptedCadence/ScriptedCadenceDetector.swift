/// Per user: the person's own calls (no `agent`) arriving like clockwork.
///
/// People do not make ten calls in a row at the same spacing: their intervals vary by a third or more. A
/// script that pads someone's usage does, to within a few percent. Calls are followed per stream (the user's
/// `session`, or their calls without one), so a script running beside the person's own work is still seen.
/// Calls made by a declared agent are left alone: scheduled agents are meant to be regular (and a
/// sanctioned script can be declared as one, or allowed).
public struct ScriptedCadenceDetector: Sendable, Codable {
    public var configuration = ScriptedCadenceConfiguration()
    /// Keyed by user and session.
    var subjects = SubjectTable<StreamKey, CallRhythm>()

    private enum CodingKeys: String, CodingKey { case subjects = "streams" }

    public init(configuration: ScriptedCadenceConfiguration) {
        self.configuration = configuration
    }

    public mutating func ingest(
        _ event: TokenEvent, keys: EventKeys, progress: CallProgress, arrivedAt now: EventTime,
        with configuration: ScriptedCadenceConfiguration, into findings: inout [Finding]
    ) {
        guard configuration.enabled, event.agent == nil else { return }
        let key = StreamKey(user: event.user, session: event.session ?? "")
        let finding = subjects.update(
            key, hash: StreamKey.subjectHash(user: keys.user, session: keys.session), activeAt: now,
            orInsert: { CallRhythm() },
            change: {
                $0.record(event, configuration)
            })
        if let finding { findings.append(finding) }
    }
}

struct StreamKey: SubjectKey, Codable {
    var user: String
    var session: String

    var owner: String { user }

    var subjectHash: Int { Self.subjectHash(user: SubjectHash.hash(user), session: SubjectHash.hash(session)) }

    /// The ``subjectHash`` of the key whose ids have these ``SubjectHash``es.
    static func subjectHash(user: UInt64, session: UInt64) -> Int {
        Int(truncatingIfNeeded: SubjectHash.combine(user, session))
    }
}

struct CallRhythm: Sendable {
    /// The latest calls' times, oldest first, at most twice `minCalls`.
    var times: [EventTime] = []
    /// What each of those calls asked (its prompt's exact hash, or its `prompt_hash`), or 0 for a trivial
    /// prompt (a few words) or none: varied content is automation doing work, repeated or empty content is
    /// padding.
    var contents: [UInt64] = []
    var evidence = EvidenceRing()

    /// Calls kept: twice `minCalls`, since a schedule asking something new each time must hold for that long
    /// (see ``record(_:_:)``).
    static func capacity(_ configuration: ScriptedCadenceConfiguration) -> Int { 2 * configuration.minCalls }

    mutating func record(_ event: TokenEvent, _ configuration: ScriptedCadenceConfiguration) -> Finding? {
        if let last = times.last, event.time < last { return nil }  // out of order: spacing unknown
        times.append(event.time)
        contents.append(
            event.prompt.map { $0.isTrivial ? 0 : $0.exact } ?? 0)
        evidence.record(event.id)
        let capacity = Self.capacity(configuration)
        if times.count > capacity { times.removeFirst(times.count - capacity) }
        if contents.count > times.count { contents.removeFirst(contents.count - times.count) }
        let minCalls = configuration.minCalls
        guard times.count >= minCalls else { return nil }
        let recent = times.suffix(minCalls)
        guard event.time.milliseconds - recent.first!.milliseconds <= configuration.window.milliseconds,
            let (mean, variation) = Self.spacing(of: recent), mean <= Double(configuration.maxInterval.milliseconds),
            variation <= configuration.maxVariation
        else { return nil }
        // Varied content (three in four calls asking something new) is automation doing work under a
        // person's name: worth a look, not a page, and only once the schedule has held for twice as many
        // calls: among thousands of honest batch jobs with a queue's natural jitter, eight steady calls in a
        // row happen by chance; sixteen do not. Repeated or empty content on a machine's cadence is padding.
        let distinct = Set(contents.suffix(minCalls).filter { $0 != 0 }).count
        let varied = distinct * 4 >= minCalls * 3
        if varied {
            guard times.count == capacity,
                event.time.milliseconds - times.first!.milliseconds <= configuration.window.milliseconds,
                let (_, longVariation) = Self.spacing(of: times[...]), longVariation <= configuration.maxVariation
            else { return nil }
        }
        let first = varied ? times.first! : recent.first!
        let calls = varied ? times.count : minCalls
        let meanSeconds = (mean / 100).rounded() / 10
        var finding = Finding(
            detector: .scriptedCadence,
            key: event.user,
            subject: AlertSubject(user: event.user),
            time: event.time,
            windowStart: first,
            // A spacing three times steadier than the limit is unmistakably a machine.
            excess: min(configuration.maxVariation / max(variation, 0.0001), 10),
            details: { [evidence] in
                Self.details(
                    calls: calls, meanSeconds: meanSeconds, variation: variation, distinct: distinct, varied: varied,
                    evidence: evidence, configuration)
            })
        finding.severity = varied ? .warning : .critical
        return finding
    }

    /// What an alert made from a finding says (worked out only then, see ``Finding``).
    private static func details(
        calls: Int, meanSeconds: Double, variation: Double, distinct: Int, varied: Bool, evidence: EvidenceRing,
        _ configuration: ScriptedCadenceConfiguration
    ) -> FindingDetails {
        FindingDetails(
            observed: [
                ("calls", .integer(Int64(calls))),
                ("mean_interval_seconds", .number(meanSeconds)),
                ("variation", .number((variation * 1000).rounded() / 1000)),
                ("distinct_prompts", .integer(Int64(distinct))),
            ],
            // `max_interval` is shown in seconds, under a name that says so.
            threshold: configuration.thresholds(\.minCalls)
                + [("max_interval_seconds", .integer(configuration.maxInterval.milliseconds / 1000))]
                + configuration.thresholds(\.maxVariation),
            summary: "\(calls) calls made as this person every \(meanSeconds) s, varying by only "
                + "\(Int((variation * 100).rounded()))%: a schedule, not a person, "
                + (varied ? "asking \(distinct) different things" : "with \(distinct) distinct prompts"),
            evidence: evidence.ids)
    }
}

extension CallRhythm {
    /// The mean interval between `times`, in milliseconds, and its coefficient of variation; `nil` for calls
    /// in one burst (under a second apart on average), a different pattern from a cadence.
    static func spacing(of times: ArraySlice<EventTime>) -> (mean: Double, variation: Double)? {
        // Intervals in milliseconds, straight from the event times (no array, no Duration arithmetic: this
        // runs on most events of a long session).
        func interval(_ index: Int) -> Double { Double(times[index].milliseconds - times[index - 1].milliseconds) }
        let intervalCount = Double(times.count - 1)
        var sum = 0.0
        for index in (times.startIndex + 1)..<times.endIndex { sum += interval(index) }
        let mean = sum / intervalCount
        guard mean >= 1000 else { return nil }
        var squares = 0.0
        for index in (times.startIndex + 1)..<times.endIndex {
            let deviation = interval(index) - mean
            squares += deviation * deviation
        }
        return (mean, (squares / intervalCount).squareRoot() / mean)
    }
}

/// Coded with `contents` optional, so that checkpoints written before it was kept still restore.
extension CallRhythm: Codable {
    private enum CodingKeys: String, CodingKey { case times, contents, evidence }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        times = try container.decode([EventTime].self, forKey: .times)
        contents = try container.decodeIfPresent([UInt64].self, forKey: .contents) ?? times.map { _ in 0 }
        evidence = try container.decode(EvidenceRing.self, forKey: .evidence)
    }
}

extension ScriptedCadenceDetector: SubjectTableDetector {
    static let name = DetectorName.scriptedCadence
    /// The key its state has always had in checkpoints.
    static let checkpointKey = "scriptedCadence"
}

extension DetectorSettings {
    public var scriptedCadence: ScriptedCadenceConfiguration {
        get { self[ScriptedCadenceDetector.self] }
        set { self[ScriptedCadenceDetector.self] = newValue }
    }
}

extension DetectorName {
    public static let scriptedCadence = DetectorName(declaring: "scripted_cadence")
}
