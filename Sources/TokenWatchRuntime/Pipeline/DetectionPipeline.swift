import Foundation
import Logging
import Synchronization
import TokenWatchCore
import ZeroMQ

/// The daemon's hot path on two dedicated threads: one receives from the event socket and decodes
/// (``DecodeStage``), the other detects and publishes.
///
/// libzmq sockets are not thread-safe, and a hop per event between threads or actors costs more than the
/// detection itself, so each thread owns its sockets, and events cross from one to the other in batches of
/// up to ``Settings/batchLimit``. The detection thread owns the engine, the alert and catch-up sockets and
/// the journal; it blocks in one poll over them and the decode stage's wake-up socket, then handles every
/// batch queued. Its lifecycle is one ``PipelineStateMachine`` behind one lock: other threads reach the thread
/// only through it (stop, reload, operational alerts, read between batches), and read the statistics it
/// publishes once per batch (``PipelineReport``).
public final class DetectionPipeline: Sendable {
    public struct Settings: Sendable {
        public var configuration: TokenWatchConfiguration
        /// Where state is checkpointed and restored from; `nil` keeps no state across restarts.
        public var checkpoints: CheckpointStore?
        /// The state directory, for the alert journal; `nil` keeps the journal in memory only.
        public var stateDirectory: String?
        /// The most messages the decode thread hands over at once. Small, so that an alert waits for little
        /// else: a batch of 64 takes a fraction of a millisecond to detect (BENCHMARKS.md).
        /// Eight batches wait at most.
        public var batchLimit = 64
        /// How long a poll waits before the thread looks at the inbox again.
        public var pollIntervalMilliseconds = 100

        public init(configuration: TokenWatchConfiguration, stateDirectory: String? = nil) {
            self.configuration = configuration
            self.stateDirectory = stateDirectory
            checkpoints = stateDirectory.map { CheckpointStore(directory: $0) }
        }
    }

    public let settings: Settings
    let logger: Logger
    private let metrics: PipelineMetrics?
    /// The thread's lifecycle; whoever feeds it an input carries out the action it returns, outside the lock.
    private let lifecycle = Mutex(Lifecycle())
    private let report = Mutex(PipelineReport())
    /// Made with the pipeline so that a stop reaches it from any thread, even before the thread has started.
    let decodeStage: DecodeStage

    typealias Lifecycle = PipelineStateMachine<CheckedContinuation<Void, any Error>, PendingReload>

    /// A validated configuration, and the reload waiting for it to apply.
    struct PendingReload: Sendable {
        var configuration: TokenWatchConfiguration
        var applied: CheckedContinuation<Void, Never>
    }

    public init(settings: Settings, logger: Logger, metrics: PipelineMetrics? = nil) {
        self.settings = settings
        self.logger = logger
        self.metrics = metrics
        decodeStage = DecodeStage(limits: settings.configuration.events.limits)
    }

    /// Where the sockets are bound, once `start()` has returned: the configured endpoints with any wildcard
    /// port (`tcp://127.0.0.1:*`) resolved.
    public struct BoundEndpoints: Sendable, Equatable {
        public var events: String
        public var alerts: String
        public var catchup: String?
    }

    public var boundEndpoints: BoundEndpoints? { report.withLock { $0.boundEndpoints } }

    func recordBound(_ endpoints: BoundEndpoints) {
        report.withLock { $0.boundEndpoints = endpoints }
    }

    /// A copy of the statistics as of the last batch.
    public var statistics: PipelineStatistics { report.withLock { $0.statistics } }

    /// When the thread last went round its loop: a stuck pipeline stops the watchdog and fails `/healthz`.
    public var lastHeartbeat: ContinuousClock.Instant? { report.withLock { $0.heartbeat } }

    /// Starts the thread and returns once state is restored and both sockets are bound; throws if either
    /// socket cannot be bound.
    public func start() async throws {
        try await withCheckedThrowingContinuation { (starter: CheckedContinuation<Void, any Error>) in
            switch lifecycle.withLock({ $0.startRequested(starter) }) {
            case .startThread:
                let thread = Thread { [self] in
                    nameCurrentThread("tw-ingest")
                    let result = Result { try self.runThread() }
                    self.threadEnded(result)
                }
                thread.start()
            case .refuse(let starter):
                starter.resume(throwing: PipelineStartRefused())
            }
        }
    }

    /// Asks the thread to stop: it stops receiving, handles what libzmq already holds, publishes the alerts,
    /// writes a final checkpoint, closes the sockets and ends.
    public func requestStop() {
        switch lifecycle.withLock({ $0.stopRequested() }) {
        case .stopDecoding:
            decodeStage.requestStop()
        case .endBeforeStart(let waiters, let reloads):
            for reload in reloads { reload.applied.resume() }
            for waiter in waiters { waiter.resume() }
        case .none:
            break
        }
    }

    /// Hands a validated configuration to the thread, which applies it between two batches, keeping every
    /// window and baseline. Returns once applied (at once if the pipeline has ended).
    public func apply(_ configuration: TokenWatchConfiguration) async {
        await withCheckedContinuation { (applied: CheckedContinuation<Void, Never>) in
            let reload = PendingReload(configuration: configuration, applied: applied)
            switch lifecycle.withLock({ $0.reloadRequested(reload) }) {
            case .applyBetweenBatches: break
            case .resume(let reload): reload.applied.resume()
            }
        }
    }

    /// Queues an alert about the daemon itself (a failed reload) for publication with the next batch.
    public func publish(_ alert: OperationalAlert) {
        switch lifecycle.withLock({ $0.operationalAlertRaised(alert) }) {
        case .publishWithNextBatch: break
        case .drop:
            logger.debug("operational alert dropped: the pipeline has ended", metadata: ["topic": "\(alert.topic)"])
        }
    }

    /// Records the outcome of a reload in the statistics and metrics.
    public func recordReload(succeeded: Bool) {
        report.withLock { $0.recordReload(succeeded: succeeded) }
        metrics?.recordReload(succeeded: succeeded)
    }

    /// Waits for the thread to end; rethrows the error that ended it, if any.
    public func waitUntilFinished() async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            switch lifecycle.withLock({ $0.waitRequested(continuation) }) {
            case .suspend: break
            case .resume(let result): continuation.resume(with: result)
            }
        }
    }

    /// Feeds the lifecycle an input from the detection thread, which carries out the action returned.
    func lifecycleInput<Action>(_ input: (inout Lifecycle) -> Action) -> Action {
        lifecycle.withLock { input(&$0) }
    }

    /// Resumes `start()`: sockets bound, state restored.
    func markReady() {
        switch lifecycle.withLock({ $0.becameReady() }) {
        case .resumeStarter(let starter): starter.resume()
        case .none: break
        }
    }

    private func threadEnded(_ result: Result<Void, any Error>) {
        switch lifecycle.withLock({ $0.threadEnded(result) }) {
        case .resume(let waiters, let result, let reloads):
            for reload in reloads { reload.applied.resume() }
            for waiter in waiters { waiter.resume(with: result) }
        case .none:
            break
        }
    }

    /// Publishes the detection thread's totals and heartbeat to other threads, and to the metrics.
    func report(
        _ totals: PipelineStatistics, heartbeat: ContinuousClock.Instant, since reported: inout PipelineStatistics
    ) {
        let totals = report.withLock { $0.publish(totals, heartbeat: heartbeat) }
        metrics?.record(from: reported, to: totals)
        reported = totals
    }

    func recordProcessing(_ duration: Duration, events: Int) {
        metrics?.recordProcessing(duration, events: events)
    }
}
