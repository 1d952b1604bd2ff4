/// Every detector and the alert lifecycle behind one entry point: events in, alerts out.
///
/// A value type with no I/O and no clock: time comes from the events. The runtime owns one engine on its
/// ingest thread; `replay` owns one in the command; tests drive one directly.
public struct DetectionEngine: Sendable, Codable {
    public private(set) var configuration: TokenWatchConfiguration
    private var repetitivePrompts: RepetitivePromptsDetector
    private var offHoursBurst: OffHoursBurstDetector
    private var agentLoop: AgentLoopDetector
    private var scriptedCadence: ScriptedCadenceDetector
    private var trivialFlood: TrivialFloodDetector
    private var lifecycle: AlertLifecycle
    /// Indices into `configuration.overrides`, by user and by team.
    private var userOverrides: [String: Int] = [:]
    private var teamOverrides: [String: Int] = [:]
    /// The latest event time seen.
    public private(set) var watermark: EventTime?
    /// Counts every alert produced, from 0: the alerts' `seq`.
    public private(set) var nextSequence: UInt64 = 0
    public private(set) var eventsProcessed: UInt64 = 0
    /// Events that arrived later than the allowed lateness behind the watermark. They are still handled:
    /// windows count them where they belong, but an incident that already resolved is not reopened by them.
    public private(set) var eventsLate: UInt64 = 0
    /// Subjects forgotten to stay under `state.max_tracked_subjects`.
    public private(set) var subjectsEvicted: UInt64 = 0
    /// How far back each detector keeps state, over the configuration and every override.
    private var horizons = StateHorizons()
    private var findings: [Finding] = []
    private var pseudonymizer: Pseudonymizer?

    private enum CodingKeys: String, CodingKey {
        case repetitivePrompts, offHoursBurst, agentLoop, scriptedCadence, trivialFlood, lifecycle, watermark, nextSequence, eventsProcessed, eventsLate, subjectsEvicted
    }

    public init(configuration: TokenWatchConfiguration) {
        self.configuration = configuration
        repetitivePrompts = RepetitivePromptsDetector(configuration: configuration.repetitivePrompts)
        offHoursBurst = OffHoursBurstDetector(configuration: configuration.offHoursBurst)
        agentLoop = AgentLoopDetector(configuration: configuration.agentLoop)
        scriptedCadence = ScriptedCadenceDetector(configuration: configuration.scriptedCadence)
        trivialFlood = TrivialFloodDetector(configuration: configuration.trivialFlood)
        lifecycle = AlertLifecycle(configuration: configuration.alerts)
        indexOverrides()
    }

    private mutating func indexOverrides() {
        pseudonymizer = configuration.privacy.pseudonymizeUsers && !configuration.privacy.key.isEmpty
            ? Pseudonymizer(key: configuration.privacy.key) : nil
        horizons = StateHorizons(configuration)
        userOverrides = [:]
        teamOverrides = [:]
        for (index, override) in configuration.overrides.enumerated() {
            switch override.match {
            case .user(let user): userOverrides[user] = index
            case .team(let team): teamOverrides[team] = index
            }
        }
    }

    /// Restores the state of a checkpoint under `configuration`: windows, baselines, open incidents and the
    /// alert sequence continue where they were. The configuration is not part of the state.
    public init(restoring state: DetectionEngine, configuration: TokenWatchConfiguration) {
        self = state
        apply(configuration)
    }

    /// Switches to a new configuration keeping every window, baseline and open incident: what a reload does.
    public mutating func apply(_ configuration: TokenWatchConfiguration) {
        self.configuration = configuration
        repetitivePrompts.configuration = configuration.repetitivePrompts
        offHoursBurst.configuration = configuration.offHoursBurst
        agentLoop.configuration = configuration.agentLoop
        scriptedCadence.configuration = configuration.scriptedCadence
        trivialFlood.configuration = configuration.trivialFlood
        lifecycle.configuration = configuration.alerts
        indexOverrides()
    }

    /// Moves the alert sequence past numbers already used (found in the alert journal at start), so `seq`
    /// never repeats across restarts even when the checkpoint is older than the journal.
    public mutating func advanceSequence(atLeast next: UInt64) {
        nextSequence = max(nextSequence, next)
    }

    /// Takes the next alert sequence number for an alert the engine did not produce (a failed reload).
    public mutating func takeSequenceNumber() -> UInt64 {
        defer { nextSequence += 1 }
        return nextSequence
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        configuration = TokenWatchConfiguration()
        repetitivePrompts = try c.decode(RepetitivePromptsDetector.self, forKey: .repetitivePrompts)
        offHoursBurst = try c.decode(OffHoursBurstDetector.self, forKey: .offHoursBurst)
        agentLoop = try c.decode(AgentLoopDetector.self, forKey: .agentLoop)
        scriptedCadence = try c.decode(ScriptedCadenceDetector.self, forKey: .scriptedCadence)
        trivialFlood = try c.decode(TrivialFloodDetector.self, forKey: .trivialFlood)
        lifecycle = try c.decode(AlertLifecycle.self, forKey: .lifecycle)
        watermark = try c.decodeIfPresent(EventTime.self, forKey: .watermark)
        nextSequence = try c.decode(UInt64.self, forKey: .nextSequence)
        eventsProcessed = try c.decode(UInt64.self, forKey: .eventsProcessed)
        eventsLate = try c.decode(UInt64.self, forKey: .eventsLate)
        subjectsEvicted = try c.decodeIfPresent(UInt64.self, forKey: .subjectsEvicted) ?? 0
    }

    /// Whether an event is too far behind the watermark to be handled (`events.max_age`): callers count it
    /// as rejected; ``process(_:into:)`` ignores it.
    public func isTooOld(_ event: TokenEvent) -> Bool {
        guard let watermark else { return false }
        return event.time < watermark - configuration.events.maxAge
    }

    /// Runs one event through every detector; appends the alerts it causes, numbered, in publication order.
    public mutating func process(_ event: TokenEvent, into alerts: inout [Alert]) {
        guard !isTooOld(event) else { return }
        eventsProcessed += 1
        if let watermark, event.time < watermark - configuration.events.allowedLateness { eventsLate += 1 }
        let now = max(watermark ?? event.time, event.time)
        watermark = now
        let firstNew = alerts.count

        // Incidents that cleared before this event are resolved before anything it causes.
        lifecycle.resolveCleared(now: now, into: &alerts)
        // State that fell out of every window goes as time passes, a few subjects at a time (no sweeps).
        repetitivePrompts.expire(before: EventTime(milliseconds: now.milliseconds - horizons.repetitivePrompts))
        offHoursBurst.expire(before: EventTime(milliseconds: now.milliseconds - horizons.offHoursBurst))
        agentLoop.expire(before: EventTime(milliseconds: now.milliseconds - horizons.agentLoop))
        scriptedCadence.expire(before: EventTime(milliseconds: now.milliseconds - horizons.scriptedCadence))
        trivialFlood.expire(before: EventTime(milliseconds: now.milliseconds - horizons.trivialFlood))

        var allowed: Set<DetectorName> = []
        for allowance in configuration.allowances where allowance.covers(event) {
            allowed.formUnion(allowance.detectors.isEmpty ? Set(DetectorName.allCases) : allowance.detectors)
        }
        findings.removeAll(keepingCapacity: true)
        // Looked up only when there are overrides: each lookup hashes the id, on every event.
        let overrideIndex = (userOverrides.isEmpty ? nil : userOverrides[event.user])
            ?? (teamOverrides.isEmpty ? nil : event.team.flatMap({ teamOverrides[$0] }))
        // Overrides and allowances are matched on the real id; everything after sees only the pseudonym. The
        // event is copied only then.
        if pseudonymizer != nil {
            var renamed = event
            renamed.user = pseudonymizer!.pseudonym(for: event.user)
            if renamed.parent == event.user { renamed.parent = renamed.user }
            detect(renamed, overrideIndex: overrideIndex)
        } else {
            detect(event, overrideIndex: overrideIndex)
        }
        // Allowed work still shapes the windows and baselines; it just raises nothing.
        for finding in findings where !allowed.contains(finding.detector) { lifecycle.observe(finding, into: &alerts) }
        enforceSubjectLimit()

        for index in firstNew..<alerts.count {
            alerts[index].seq = nextSequence
            nextSequence += 1
        }
    }

    /// Runs the detectors, under the subject's override if one applies; their findings go to `findings`.
    private mutating func detect(_ event: TokenEvent, overrideIndex: Int?) {
        if let index = overrideIndex {
            let override = configuration.overrides[index]
            repetitivePrompts.ingest(event, with: override.repetitivePrompts, into: &findings)
            offHoursBurst.ingest(event, with: override.offHoursBurst, into: &findings)
            agentLoop.ingest(event, with: override.agentLoop, into: &findings)
            scriptedCadence.ingest(event, with: override.scriptedCadence, into: &findings)
            trivialFlood.ingest(event, with: override.trivialFlood, into: &findings)
        } else {
            repetitivePrompts.ingest(event, into: &findings)
            offHoursBurst.ingest(event, into: &findings)
            agentLoop.ingest(event, into: &findings)
            scriptedCadence.ingest(event, into: &findings)
            trivialFlood.ingest(event, into: &findings)
        }
    }

    private mutating func enforceSubjectLimit() {
        let limit = configuration.state.maxTrackedSubjects
        var evicted = 0
        if repetitivePrompts.trackedSubjects > limit { evicted += repetitivePrompts.evictIdlest(limit: limit) }
        if offHoursBurst.trackedSubjects > limit { evicted += offHoursBurst.evictIdlest(limit: limit) }
        if agentLoop.trackedSubjects > limit { evicted += agentLoop.evictIdlest(limit: limit) }
        if scriptedCadence.trackedSubjects > limit { evicted += scriptedCadence.evictIdlest(limit: limit) }
        if trivialFlood.trackedSubjects > limit { evicted += trivialFlood.evictIdlest(limit: limit) }
        subjectsEvicted += UInt64(evicted)
    }

    /// Subjects currently tracked by each detector.
    public var trackedSubjects: [DetectorName: Int] {
        [
            .repetitivePrompts: repetitivePrompts.trackedSubjects,
            .offHoursBurst: offHoursBurst.trackedSubjects,
            .agentLoop: agentLoop.trackedSubjects,
            .scriptedCadence: scriptedCadence.trackedSubjects,
            .trivialFlood: trivialFlood.trackedSubjects,
        ]
    }

    public var openIncidents: Int { lifecycle.openIncidents }
}

/// How long, in milliseconds of event time, each detector needs a quiet subject's state: its window (for
/// `offhours_burst`, its baseline span), the longest of the configuration and every override.
struct StateHorizons: Sendable {
    var repetitivePrompts: Int64 = 0
    var offHoursBurst: Int64 = 0
    var agentLoop: Int64 = 0
    var scriptedCadence: Int64 = 0
    var trivialFlood: Int64 = 0

    init() {}

    init(_ configuration: TokenWatchConfiguration) {
        let overrides = configuration.overrides
        func longest(_ own: Duration, _ each: (SubjectOverride) -> Duration) -> Int64 {
            (overrides.map(each) + [own]).max()!.milliseconds
        }
        repetitivePrompts = longest(configuration.repetitivePrompts.window) { $0.repetitivePrompts.window }
        agentLoop = longest(configuration.agentLoop.window) { $0.agentLoop.window }
        scriptedCadence = longest(configuration.scriptedCadence.window) { $0.scriptedCadence.window }
        trivialFlood = longest(configuration.trivialFlood.window) { $0.trivialFlood.window }
        let days = (overrides.map(\.offHoursBurst.baselineDays) + [configuration.offHoursBurst.baselineDays]).max()!
        offHoursBurst = Int64(days) * 86_400_000
    }
}
