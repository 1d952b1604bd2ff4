import Foundation
import TokenWatchCore

/// The threads the engine's shards run on: the caller is worker 0, and `workers - 1` threads kept waiting for
/// the next segment. A segment is handed over with one semaphore signal per thread and collected with one
/// wait per thread, so a batch of a few dozen events is still worth spreading.
///
/// The engine decides what each worker does and guarantees that the result does not depend on how many
/// there are (``ShardExecutor``); this only supplies the threads. They stop when it is released.
public final class DetectionWorkers: ShardExecutor, Sendable {
    public let workers: Int
    private let crew: Crew

    /// `workers` threads in all, the caller's included; 0 means ``automatic``.
    public init(workers: Int) {
        self.workers = workers == 0 ? Self.automatic : max(1, workers)
        crew = Crew(threads: self.workers - 1)
    }

    /// One per core this process may use, less one for the thread that decodes events (and libzmq's, which
    /// is light): at least one. Detection threads beyond that only take turns with decoding on the same cores,
    /// and each turn costs a wake-up.
    public static var automatic: Int { max(1, ProcessInfo.processInfo.activeProcessorCount - 1) }

    /// Segments smaller than this run on the calling thread alone: waking the other threads and waiting for
    /// them costs more than their share of a few hundred events (`tokenwatch-bench threads`).
    public static let minimumParallelSteps = 256

    deinit { crew.stop() }

    public func run(steps: Int, _ body: (Int) -> Void) {
        guard workers > 1, steps >= Self.minimumParallelSteps else {
            for worker in 0..<workers { body(worker) }
            return
        }
        crew.run(body)
    }
}

/// The waiting threads, which hold it (not the ``DetectionWorkers`` that owns it, whose release stops them).
private final class Crew: @unchecked Sendable {
    private let start: [DispatchSemaphore]
    private let done = DispatchSemaphore(value: 0)
    /// What the threads do when woken: set before they are signalled and read by them after, so the
    /// semaphores order the accesses.
    private var order = Order.wait

    private enum Order {
        /// Nothing: no segment is running.
        case wait
        /// Run the segment's body with the thread's worker number.
        case run((Int) -> Void)
        /// The owner is gone: end.
        case stop
    }

    init(threads: Int) {
        start = (0..<threads).map { _ in DispatchSemaphore(value: 0) }
        for index in 0..<threads {
            let thread = Thread { [self] in serve(worker: index + 1) }
            thread.start()
        }
    }

    func run(_ body: (Int) -> Void) {
        withoutActuallyEscaping(body) { body in
            order = .run(body)
            for semaphore in start { semaphore.signal() }
            body(0)
            for _ in start { done.wait() }
            order = .wait
        }
    }

    func stop() {
        order = .stop
        for semaphore in start { semaphore.signal() }
    }

    private func serve(worker: Int) {
        nameCurrentThread("tw-detect-\(worker)")
        while true {
            start[worker - 1].wait()
            switch order {
            case .run(let body): body(worker)
            case .stop: return
            case .wait: preconditionFailure("woken without a segment")
            }
            done.signal()
        }
    }
}
