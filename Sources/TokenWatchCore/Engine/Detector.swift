/// A busywork heuristic: a value-type state machine fed one event at a time that appends a ``Finding``
/// whenever its condition holds. No I/O and no clock: time comes from the events.
///
/// Detectors live in ``DetectorSuite`` and are reached through ``DetectorVisitor``s, which the compiler
/// specialises for each detector: the per-event calls are statically dispatched, with no existential.
/// CONTRIBUTING.md has the recipe for adding one.
protocol Detector: Sendable, Codable {
    associatedtype Configuration: DetectorConfiguration
    /// Its name in alerts, topics, metrics and the configuration file.
    static var name: DetectorName { get }
    /// The key its state has in a checkpoint.
    static var checkpointKey: String { get }
    /// The settings for subjects without an override.
    var configuration: Configuration { get set }
    init(configuration: Configuration)
    /// Subjects it holds state for (bounded by `state.max_tracked_subjects`).
    var trackedSubjects: Int { get }
    /// Forgets the subjects seen least recently beyond `limit`; returns how many.
    mutating func evictIdlest(limit: Int) -> Int
    /// Runs one event under `configuration` (the subject's own, when an override applies). `progress` is the
    /// shared verdict on whether the call made progress (``ProgressTracker``). `now` is the stream's
    /// watermark when the event arrived: a subject's state counts as active from then, so that a late backlog
    /// is not forgotten as it streams in. Windows and patterns use the event's own time. `keys` are the hashes of
    /// the event's ids, for its lookups.
    mutating func ingest(
        _ event: TokenEvent, keys: EventKeys, progress: CallProgress, arrivedAt now: EventTime,
        with configuration: Configuration, into findings: inout [Finding]
    )
    /// Forgets subjects with no activity since `start`: the start of the longest horizon of any override.
    mutating func expire(before start: EventTime)
    /// Its state split in `count` by the shard of each subject's user (`shard`), as a checkpoint written
    /// before the engine's shards is restored.
    func split(into count: Int, by shard: (String) -> Int) -> [Self]
}

extension Detector {
    static var checkpointKey: String { name.rawValue }

    /// Runs one event, arriving in time order, under the detector's own settings; without a verdict on its
    /// content (`unknown`) unless one is given.
    mutating func ingest(_ event: TokenEvent, progress: CallProgress = .unknown, into findings: inout [Finding]) {
        ingest(event, progress: progress, arrivedAt: event.time, with: configuration, into: &findings)
    }

    /// Runs one event under `configuration`, its ids hashed here.
    mutating func ingest(
        _ event: TokenEvent, progress: CallProgress, arrivedAt now: EventTime, with configuration: Configuration,
        into findings: inout [Finding]
    ) {
        ingest(
            event, keys: EventKeys(of: event), progress: progress, arrivedAt: now, with: configuration,
            into: &findings)
    }
}

/// An operation on every detector of a ``DetectorSuite``, specialised per detector type.
protocol DetectorVisitor {
    /// What every visit reads besides the detector (the event, when ingesting). Passed borrowed to each
    /// visit, so lending an event to five detectors retains nothing.
    associatedtype Input = Void
    mutating func visit<D: Detector>(_ detector: inout D, with input: Input)
}

/// The settings of one detector: a section of the configuration file, and how long state must be kept.
protocol DetectorConfiguration: SectionSettings {
    init()
    /// How far back, in event time, a quiet subject's state still matters: its window, or its baseline span.
    var stateHorizon: Duration { get }
}
