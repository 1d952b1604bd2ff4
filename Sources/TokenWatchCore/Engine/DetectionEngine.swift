/// Every detector and the alert lifecycle behind one entry point: events in, alerts out.
///
/// A value type with no I/O and no clock: time comes from the events. The runtime owns one engine on its
/// detection thread; `replay` owns one in the command; tests drive one directly.
///
/// The detectors' state is split into the 64 ``VirtualShard``s of people (``DetectionShard``), so that a
/// batch can be detected on several threads (``detect(_:latestAccepted:on:rejected:into:)``). What spans
/// people stays here and runs in arrival order: admission (the watermark, lateness, duplicate ids), the
/// population's prior, the alert lifecycle and the alerts' `seq`. Shards see only their own events and read
/// nothing another shard writes, so the alerts are the same, in the same order, however many threads run the
/// shards and however the events were batched.
public struct DetectionEngine: Sendable {
    public private(set) var configuration: TokenWatchConfiguration
    var rules: DetectionRules
    var shards: [DetectionShard]
    /// The newcomers' prior, shared by the shards, updated between them (see ``PopulationBaselines``).
    var population = PopulationBaselines()
    /// Recent event ids, for the admission rule's `duplicate_id`.
    var recentEventIDs: RecentEventIDs
    var lifecycle: AlertLifecycle
    /// The latest event time seen.
    public internal(set) var watermark: EventTime?
    /// Counts every alert produced, from 0: the alerts' `seq`.
    public internal(set) var nextSequence: UInt64 = 0
    public internal(set) var eventsProcessed: UInt64 = 0
    /// Events that arrived later than the allowed lateness behind the watermark. They are still handled:
    /// windows count them where they belong, but an incident that already resolved is not reopened by them.
    public internal(set) var eventsLate: UInt64 = 0
    /// What each team's calls spent, by progress judgement (``TeamSpending``), checkpointed.
    public var spending = TeamSpending()
    /// Scratch reused from batch to batch: the admitted events' steps and each worker's output.
    var steps: [DetectionStep] = []
    var outputs: [ShardOutput] = []
    /// For each worker, how far its findings and its baselines have been merged.
    var findingCursors: [Int] = []
    var baselineCursors: [Int] = []
    /// The detectors' state of a checkpoint written before the shards, until it is restored.
    var unsharded: DetectionShard?
    /// Set when restoring upgraded a checkpoint written before the shards.
    public internal(set) var upgrade: CheckpointUpgrade?

    public init(configuration: TokenWatchConfiguration) {
        self.configuration = configuration
        rules = DetectionRules(configuration)
        let rules = rules
        shards = (0..<VirtualShard.count).map { _ in DetectionShard(rules: rules) }
        recentEventIDs = RecentEventIDs(capacity: configuration.events.duplicateIDWindow)
        lifecycle = AlertLifecycle(configuration: configuration.alerts)
    }

    /// Restores the state of a checkpoint under `configuration`: windows, baselines, open incidents and the
    /// alert sequence continue where they were. The configuration is not part of the state.
    public init(restoring state: DetectionEngine, configuration: TokenWatchConfiguration) {
        self = state
        apply(configuration, keyChanged: true)
        splitUnsharded(pseudonymised: rules.pseudonymKey != nil)
    }

    /// Switches to a new configuration keeping every window, baseline and open incident: what a reload does.
    public mutating func apply(_ configuration: TokenWatchConfiguration) {
        apply(configuration, keyChanged: configuration.privacy.key != self.configuration.privacy.key)
    }

    private mutating func apply(_ configuration: TokenWatchConfiguration, keyChanged: Bool) {
        self.configuration = configuration
        rules = DetectionRules(configuration)
        for index in shards.indices { shards[index].apply(rules, keyChanged: keyChanged) }
        recentEventIDs.capacity = configuration.events.duplicateIDWindow
        lifecycle.configuration = configuration.alerts
    }

    /// Moves the alert sequence past numbers already used (found in the alert journal at start), so `seq`
    /// never repeats across restarts even when the checkpoint is older than the journal.
    public mutating func advanceSequence(atLeast next: UInt64) {
        nextSequence = max(nextSequence, next)
    }

    /// Whether an event is too far behind the watermark to be handled (`events.max_age`): callers count it
    /// as rejected; ``process(_:into:)`` ignores it.
    public func isTooOld(_ event: TokenEvent) -> Bool {
        guard let watermark else { return false }
        return event.time < watermark - configuration.events.maxAge
    }

    /// Runs one event through every detector; appends the alerts it causes, numbered, in publication order.
    public mutating func process(_ event: TokenEvent, into alerts: inout [Alert]) {
        process(event, shard: VirtualShard.of(user: event.user), keys: EventKeys(of: event), into: &alerts)
    }

    /// The same, for an event whose user's shard and ids' hashes are known (a ``DecodedEvent``'s).
    mutating func process(_ event: TokenEvent, shard: Int, keys: EventKeys, into alerts: inout [Alert]) {
        guard !isTooOld(event) else { return }
        let step = DetectionStep(position: 0, shard: shard, now: enter(event.time))
        beginHour(of: step.now)
        prepareOutputs(workers: 1)
        let judgement = shards[step.shard].detect(
            event, keys: keys, step: 0, now: step.now, rules: rules, into: &outputs[0])
        let first = alerts.count
        conclude(step, index: 0, workers: 1, into: &alerts)
        numberAlerts(&alerts, from: first)
        count(event, keys: keys, judgement: judgement)
    }

    /// Empties the outputs of `workers` workers and rewinds their cursors.
    mutating func prepareOutputs(workers: Int) {
        if outputs.count != workers {
            outputs = Array(repeating: ShardOutput(), count: workers)
            findingCursors = Array(repeating: 0, count: workers)
            baselineCursors = findingCursors
        }
        for worker in 0..<workers {
            outputs[worker].removeAll()
            findingCursors[worker] = 0
            baselineCursors[worker] = 0
        }
    }

    /// Counts an admitted event and moves the watermark; returns the watermark it arrived at.
    mutating func enter(_ time: EventTime) -> EventTime {
        eventsProcessed += 1
        if let watermark, time < watermark - configuration.events.allowedLateness { eventsLate += 1 }
        let now = max(watermark ?? time, time)
        watermark = now
        return now
    }

    /// Before the first event of an hour of event time: the population's prior is worked out again from the
    /// baselines reported so far, and every shard reads it until the next hour.
    mutating func beginHour(of now: EventTime) {
        let hour = DetectionStep.hour(of: now)
        guard hour > population.prior.hour else { return }
        population.refresh(hour: hour)
        let prior = population.prior
        for index in shards.indices { shards[index].detectors.offHoursBurst.prior = prior }
    }

    /// What the engine does after the shards for one admitted event, in arrival order: incidents that cleared
    /// before it are resolved, then its findings become alerts (or repeats) and its baselines go to the
    /// population. The step's worker's output is read from its cursors on.
    mutating func conclude(_ step: DetectionStep, index: Int, workers: Int, into alerts: inout [Alert]) {
        lifecycle.resolveCleared(now: step.now, into: &alerts)
        let worker = step.shard % workers
        var next = findingCursors[worker]
        while next < outputs[worker].findings.count, outputs[worker].findings[next].step == index {
            lifecycle.observe(outputs[worker].findings[next].value, arrivedAt: step.now, into: &alerts)
            next += 1
        }
        findingCursors[worker] = next
        next = baselineCursors[worker]
        while next < outputs[worker].baselines.count, outputs[worker].baselines[next].step == index {
            population.record(outputs[worker].baselines[next].value)
            next += 1
        }
        baselineCursors[worker] = next
    }

    /// Gives `seq` numbers to the alerts appended since `first`, in order.
    mutating func numberAlerts(_ alerts: inout [Alert], from first: Int) {
        for index in first..<alerts.count {
            alerts[index].seq = nextSequence
            nextSequence += 1
        }
    }

    /// Subjects forgotten to stay under `state.max_tracked_subjects`.
    public var subjectsEvicted: UInt64 { shards.reduce(0) { $0 + $1.subjectsEvicted } }

    /// Subjects currently tracked by each detector, over all shards.
    ///
    /// Read after every round of the detection thread (the gauges), so it visits each shard's detectors in
    /// place, hence `mutating get` (a shard read by value is a copy: a retain of every one of its tables), and
    /// counts by position in the suite, naming the counts once at the end.
    public var trackedSubjects: [DetectorName: Int] {
        mutating get {
            struct Count: DetectorVisitor {
                var counts = [Int](repeating: 0, count: DetectorSuite.names.count)
                var position = 0
                mutating func visit<D: Detector>(_ detector: inout D, with _: Void) {
                    counts[position] += detector.trackedSubjects
                    position += 1
                }
            }
            var count = Count()
            for index in shards.indices {
                count.position = 0
                shards[index].detectors.forEach(&count)
            }
            return Dictionary(uniqueKeysWithValues: zip(DetectorSuite.names, count.counts))
        }
    }

    public var openIncidents: Int { lifecycle.openIncidents }
}
