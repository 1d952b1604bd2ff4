/// Every detector and the alert lifecycle behind one entry point: events in, alerts out.
///
/// A value type with no I/O and no clock: time comes from the events. The runtime owns one engine on its
/// ingest thread; `replay` owns one in the command; tests drive one directly.
public struct DetectionEngine: Sendable, Codable {
    public private(set) var configuration: TokenWatchConfiguration
    private var detectors: DetectorSuite
    /// The shared measure of progress, one verdict per call for every detector.
    private var progress = ProgressTracker()
    /// Recent event ids, for the admission rule's `duplicate_id`.
    var recentEventIDs: RecentEventIDs
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
    /// How far back each detector keeps state, in milliseconds, in suite order: the longest horizon over the
    /// configuration and every override.
    private var horizons: [Int64] = []
    private var findings: [Finding] = []
    private var pseudonymizer: Pseudonymizer?

    private enum CodingKeys: String, CodingKey {
        case lifecycle, watermark, nextSequence, eventsProcessed, eventsLate, subjectsEvicted, recentEventIDs, progress
    }

    public init(configuration: TokenWatchConfiguration) {
        self.configuration = configuration
        detectors = DetectorSuite(settings: configuration.detectors)
        recentEventIDs = RecentEventIDs(capacity: configuration.events.duplicateIDWindow)
        lifecycle = AlertLifecycle(configuration: configuration.alerts)
        indexOverrides()
    }

    private mutating func indexOverrides() {
        pseudonymizer =
            configuration.privacy.pseudonymizeUsers && !configuration.privacy.key.isEmpty
            ? Pseudonymizer(key: configuration.privacy.key) : nil
        horizons = StateHorizons.longest(in: configuration)
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
        detectors.apply(configuration.detectors)
        recentEventIDs.capacity = configuration.events.duplicateIDWindow
        lifecycle.configuration = configuration.alerts
        indexOverrides()
    }

    /// Moves the alert sequence past numbers already used (found in the alert journal at start), so `seq`
    /// never repeats across restarts even when the checkpoint is older than the journal.
    public mutating func advanceSequence(atLeast next: UInt64) {
        nextSequence = max(nextSequence, next)
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        configuration = TokenWatchConfiguration()
        detectors = try DetectorSuite(from: decoder)
        recentEventIDs =
            try c.decodeIfPresent(RecentEventIDs.self, forKey: .recentEventIDs) ?? RecentEventIDs(capacity: 0)
        lifecycle = try c.decode(AlertLifecycle.self, forKey: .lifecycle)
        progress = try c.decodeIfPresent(ProgressTracker.self, forKey: .progress) ?? ProgressTracker()
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
        horizons.withUnsafeBufferPointer { horizons in
            var expiry = Expiry(now: now, horizons: horizons)
            detectors.forEach(&expiry)
        }
        progress.expire(at: now)
        var allowed: Set<DetectorName> = []
        for allowance in configuration.allowances where allowance.covers(event) {
            allowed.formUnion(allowance.detectors.isEmpty ? Set(DetectorSuite.names) : allowance.detectors)
        }
        findings.removeAll(keepingCapacity: true)
        // Looked up only when there are overrides: each lookup hashes the id, on every event.
        let overrideIndex =
            (userOverrides.isEmpty ? nil : userOverrides[event.user])
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
        for finding in findings where !allowed.contains(finding.detector) {
            lifecycle.observe(finding, arrivedAt: now, into: &alerts)
        }
        enforceSubjectLimit()

        for index in firstNew..<alerts.count {
            alerts[index].seq = nextSequence
            nextSequence += 1
        }
    }

    /// Runs the detectors, under the subject's override if one applies; their findings go to `findings`.
    private mutating func detect(_ event: TokenEvent, overrideIndex: Int?) {
        var ingest = Ingest(override: overrideIndex.map { configuration.overrides[$0].detectors })
        ingest.now = watermark ?? event.time
        ingest.progress = progress.observe(event, arrivedAt: ingest.now)
        swap(&ingest.findings, &findings)
        detectors.forEach(&ingest, with: event)
        swap(&ingest.findings, &findings)
    }

    private mutating func enforceSubjectLimit() {
        var eviction = Eviction(limit: configuration.state.maxTrackedSubjects)
        detectors.forEach(&eviction)
        subjectsEvicted += UInt64(eviction.evicted)
        if progress.trackedStreams > eviction.limit {
            subjectsEvicted += UInt64(progress.evictIdlest(limit: eviction.limit))
        }
    }

    /// Subjects currently tracked by each detector.
    public var trackedSubjects: [DetectorName: Int] {
        struct Count: DetectorVisitor {
            var counts: [DetectorName: Int] = [:]
            mutating func visit<D: Detector>(_ detector: inout D, with _: Void) {
                counts[D.name] = detector.trackedSubjects
            }
        }
        var count = Count()
        var detectors = detectors
        detectors.forEach(&count)
        return count.counts
    }

    public var openIncidents: Int { lifecycle.openIncidents }
}

extension DetectionEngine {
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try detectors.encode(to: encoder)
        try c.encode(lifecycle, forKey: .lifecycle)
        try c.encodeIfPresent(watermark, forKey: .watermark)
        try c.encode(nextSequence, forKey: .nextSequence)
        try c.encode(eventsProcessed, forKey: .eventsProcessed)
        try c.encode(eventsLate, forKey: .eventsLate)
        try c.encode(subjectsEvicted, forKey: .subjectsEvicted)
        try c.encode(recentEventIDs, forKey: .recentEventIDs)
        try c.encode(progress, forKey: .progress)
    }
}
