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
/// batch queued. Other threads reach it only through a `Mutex`-guarded inbox (stop, reload, operational
/// alerts), read between batches, and read its statistics, published once per batch.
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
    private let shared = Mutex(SharedState())
    private let completion = Mutex(PipelineCompletion<CheckedContinuation<Void, any Error>>())

    public init(settings: Settings, logger: Logger, metrics: PipelineMetrics? = nil) {
        self.settings = settings
        self.logger = logger
        self.metrics = metrics
    }

    /// Where the sockets are bound, once `start()` has returned: the configured endpoints with any wildcard
    /// port (`tcp://127.0.0.1:*`) resolved.
    public struct BoundEndpoints: Sendable, Equatable {
        public var events: String
        public var alerts: String
        public var catchup: String?
    }

    public var boundEndpoints: BoundEndpoints? { shared.withLock { $0.boundEndpoints } }

    func recordBound(_ endpoints: BoundEndpoints) {
        shared.withLock { $0.boundEndpoints = endpoints }
    }

    /// A copy of the statistics as of the last batch.
    public var statistics: PipelineStatistics { shared.withLock { $0.statistics } }

    /// When the thread last went round its loop: a stuck pipeline stops the watchdog and fails `/healthz`.
    public var lastHeartbeat: ContinuousClock.Instant? { shared.withLock { $0.heartbeat } }

    /// Starts the thread and returns once state is restored and both sockets are bound; throws if either
    /// socket cannot be bound.
    public func start() async throws {
        try await withCheckedThrowingContinuation { (ready: CheckedContinuation<Void, any Error>) in
            completion.withLock { $0.starting(ready: ready) }
            let thread = Thread { [self] in
                nameCurrentThread("tw-ingest")
                let result = Result { try self.runThread() }
                self.finish(result)
            }
            thread.start()
        }
    }

    /// Asks the thread to stop: it stops receiving, handles what libzmq already holds, publishes the alerts,
    /// writes a final checkpoint, closes the sockets and ends.
    public func requestStop() {
        shared.withLock { $0.stopRequested = true }
    }

    /// Hands a validated configuration to the thread, which applies it between two batches, keeping every
    /// window and baseline. Returns once applied (at once if the pipeline has ended).
    public func apply(_ configuration: TokenWatchConfiguration) async {
        await withCheckedContinuation { (applied: CheckedContinuation<Void, Never>) in
            let accepted = shared.withLock { state -> Bool in
                guard !state.finished else { return false }
                state.pendingConfigurations.append((configuration, applied))
                return true
            }
            if !accepted { applied.resume() }
        }
    }

    /// Queues an alert about the daemon itself (a failed reload) for publication with the next batch.
    public func publish(_ alert: OperationalAlert) {
        shared.withLock { $0.operationalAlerts.append(alert) }
    }

    /// Records the outcome of a reload in the statistics and metrics.
    public func recordReload(succeeded: Bool) {
        shared.withLock {
            if succeeded { $0.reloadsSucceeded += 1 } else { $0.reloadsFailed += 1 }
        }
        metrics?.recordReload(succeeded: succeeded)
    }

    /// Waits for the thread to end; rethrows the error that ended it, if any.
    public func waitUntilFinished() async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            switch completion.withLock({ $0.wait(continuation) }) {
            case .suspend: break
            case .resume(let result): continuation.resume(with: result)
            }
        }
    }

    /// Resumes `start()`: sockets bound, state restored.
    func markReady() {
        completion.withLock { $0.becameReady() }?.resume()
    }

    private func finish(_ result: Result<Void, any Error>) {
        let pending = shared.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.finished = true
            defer { state.pendingConfigurations.removeAll() }
            return state.pendingConfigurations.map(\.1)
        }
        for waiter in pending { waiter.resume() }
        for waiter in completion.withLock({ $0.finished(result) }) { waiter.resume(with: result) }
    }

    /// Takes what other threads left for the detection thread: configurations to apply, operational alerts
    /// to publish.
    func takeInbox() -> (
        configurations: [(TokenWatchConfiguration, CheckedContinuation<Void, Never>)],
        operational: [OperationalAlert]
    ) {
        shared.withLock { state in
            defer {
                state.pendingConfigurations.removeAll()
                state.operationalAlerts.removeAll()
            }
            return (state.pendingConfigurations, state.operationalAlerts)
        }
    }

    var stopRequested: Bool { shared.withLock { $0.stopRequested } }

    /// Publishes the detection thread's totals and heartbeat to other threads, and to the metrics.
    func report(
        _ totals: PipelineStatistics, heartbeat: ContinuousClock.Instant, since reported: inout PipelineStatistics
    ) {
        var totals = totals
        shared.withLock { state in
            totals.reloadsSucceeded = state.reloadsSucceeded
            totals.reloadsFailed = state.reloadsFailed
            state.statistics = totals
            state.heartbeat = heartbeat
        }
        metrics?.record(from: reported, to: totals)
        reported = totals
    }

    func recordProcessing(_ duration: Duration, events: Int) {
        metrics?.recordProcessing(duration, events: events)
    }
}

private struct SharedState: Sendable {
    var stopRequested = false
    var finished = false
    var pendingConfigurations: [(TokenWatchConfiguration, CheckedContinuation<Void, Never>)] = []
    var operationalAlerts: [OperationalAlert] = []
    var statistics = PipelineStatistics()
    var heartbeat: ContinuousClock.Instant?
    var reloadsSucceeded: UInt64 = 0
    var reloadsFailed: UInt64 = 0
    var boundEndpoints: DetectionPipeline.BoundEndpoints?
}
