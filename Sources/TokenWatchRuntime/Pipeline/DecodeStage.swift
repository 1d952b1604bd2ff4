import Foundation
import Synchronization
import TokenWatchCore
import ZeroMQ

/// The first of the pipeline's two threads: receives from the event socket and decodes, in batches, so that
/// parsing and fingerprinting (about a third of the work per event) run beside detection instead of before it.
///
/// Why one decoding thread: decoding needs nothing but the bytes, and one thread keeps up with detection;
/// detection needs each person's events in order, and spreads over threads only by shards of people
/// (``DetectionWorkers``). Batches (up to ``DetectionPipeline/Settings/batchLimit``
/// messages) keep the hand-over cheap: one lock and, when the detection thread sleeps, one inproc message per
/// batch, not per event. At most ``maxQueuedBatches`` wait; past that this thread stops receiving, libzmq's
/// receive high-water mark fills and publishers are pushed back, as before.
///
/// The thread owns the event socket from creation to close (libzmq sockets are not thread-safe). It binds it
/// before ``start(...)`` returns, so a bad endpoint still fails the daemon's start.
final class DecodeStage: Sendable {
    struct Batch: Sendable {
        /// What each message decoded to, in order; read in place by the detection thread.
        var items: [DecodedEvent] = []
        /// Wall-clock time at which the batch was received, for the `max_future` check.
        var receivedAt = EventTime(milliseconds: 0)
        /// Set on the last batch: the stage has stopped (after a stop request, or on `error`).
        var isLast = false
        var error: (any Error)?
    }

    static let maxQueuedBatches = 8
    /// How many messages a batch takes while the detection thread still has batches waiting: it is behind,
    /// so an alert waits anyway, and a larger batch gives the detection threads segments worth spreading
    /// (``DetectionWorkers/minimumParallelSteps``). Otherwise a batch takes up to the pipeline's
    /// `batchLimit` (64), so that alerts leave soon.
    static let backlogBatchLimit = 1024

    private let queue = Mutex<[Batch]>([])
    /// Batches the detection thread is done with, freed by this thread: their events were allocated here, and
    /// freeing them there would make every free on the busier thread a remote one for jemalloc.
    private let spent = Mutex<[Batch]>([])
    private let credits = DispatchSemaphore(value: DecodeStage.maxQueuedBatches)
    private let stopRequested = Atomic<Bool>(false)
    private let limits: Mutex<EventDecoder.Limits>
    private let heartbeatState = Mutex<ContinuousClock.Instant?>(nil)
    private let taken = Atomic<Int>(0)
    private let ended = DispatchSemaphore(value: 0)

    /// Where the detection thread binds a PAIR socket and polls it: one (empty) message arrives per batch
    /// queued, so it sleeps in one poll over this and its other sockets.
    let wakeEndpoint = "inproc://tokenwatch-decoded-\(UUID().uuidString)"

    init(limits: EventDecoder.Limits) {
        self.limits = Mutex(limits)
    }

    /// Messages taken off the event socket so far; at the end, every one must have reached the detection
    /// thread (the stop log shows both counts).
    var messagesTaken: Int { taken.load(ordering: .acquiring) }

    /// When the thread last went round its loop.
    var heartbeat: ContinuousClock.Instant? { heartbeatState.withLock { $0 } }

    /// Decoder limits for batches received from now on (a reload).
    func update(limits newLimits: EventDecoder.Limits) {
        limits.withLock { $0 = newLimits }
    }

    /// Asks the thread to stop receiving: it takes what libzmq already holds, queues it, then a last batch.
    func requestStop() {
        stopRequested.store(true, ordering: .releasing)
    }

    /// Every batch queued so far, oldest first; each frees a place in the queue.
    func takeBatches() -> [Batch] {
        let batches = queue.withLock { queue in
            defer { queue.removeAll(keepingCapacity: true) }
            return queue
        }
        for _ in batches { credits.signal() }
        return batches
    }

    /// Hands detected batches back, to be freed on the decode thread.
    func giveBack(_ batches: [Batch]) {
        spent.withLock { $0.append(contentsOf: batches) }
    }

    /// Stops the thread and waits until it has closed its sockets (before the context may go), releasing
    /// its queue meanwhile so that it cannot stay blocked on a full one.
    func stopAndWait() {
        requestStop()
        while ended.wait(timeout: .now() + .milliseconds(20)) == .timedOut { _ = takeBatches() }
        ended.signal()  // Later callers return at once.
    }

    /// Starts the thread. `makeSocket` runs on it and returns the bound event socket; its error is thrown here.
    /// Returns the socket's endpoint as bound.
    func start(
        context: ZMQContext, batchLimit: Int, pollIntervalMilliseconds: Int,
        makeSocket: @escaping @Sendable () throws -> ZMQSocket
    ) throws -> String {
        let bound = Mutex<Result<String, any Error>?>(nil)
        let started = DispatchSemaphore(value: 0)
        let thread = Thread { [self] in
            nameCurrentThread("tw-decode")
            let events: ZMQSocket
            let wake: ZMQSocket
            do {
                wake = try ZMQSocket(context: context, type: .pair)
                try wake.setLinger(milliseconds: 0)
                try wake.connect(wakeEndpoint)
                do { events = try makeSocket() } catch {
                    wake.close()
                    throw error
                }
                let endpoint = (try? events.lastEndpoint) ?? "?"
                bound.withLock { $0 = .success(endpoint) }
                started.signal()
            } catch {
                bound.withLock { $0 = .failure(error) }
                started.signal()
                ended.signal()
                return
            }
            defer {
                events.close()
                wake.close()
                ended.signal()
            }
            run(events: events, wake: wake, batchLimit: batchLimit, pollIntervalMilliseconds: pollIntervalMilliseconds)
        }
        thread.start()
        started.wait()
        return try bound.withLock { $0! }.get()
    }

    private func run(events: ZMQSocket, wake: ZMQSocket, batchLimit: Int, pollIntervalMilliseconds: Int) {
        var currentLimits = limits.withLock { $0 }
        var decoder = EventDecoder(limits: currentLimits)
        let frames = (topic: ZMQMessage(), payload: ZMQMessage(), extra: ZMQMessage())
        func hand(_ batch: Batch) { self.hand(batch, wake: wake) }
        func receiveBatch() throws -> Batch {
            let fresh = limits.withLock { $0 }
            if fresh != currentLimits {
                currentLimits = fresh
                decoder = EventDecoder(limits: fresh)
            }
            var batch = Batch(receivedAt: EventTime(milliseconds: Int64(Date().timeIntervalSince1970 * 1000)))
            let behind = queue.withLock { !$0.isEmpty }
            let limit = behind ? max(batchLimit, Self.backlogBatchLimit) : batchLimit
            batch.items.reserveCapacity(limit)
            while batch.items.count < limit, try events.receive(into: frames.topic, dontWait: true) {
                var count = 1
                if events.hasMoreFrames {
                    _ = try events.receive(into: frames.payload)
                    count += 1
                    while events.hasMoreFrames {
                        _ = try events.receive(into: frames.extra)
                        count += 1
                    }
                }
                guard count == 2 else {
                    batch.items.append(DecodedEvent(rejection: EventRejection(.wrongFrameCount, field: nil)))
                    continue
                }
                batch.items.append(frames.payload.withUnsafeBytes { decoder.decodeEvent($0) })
            }
            taken.add(batch.items.count, ordering: .releasing)
            return batch
        }
        do {
            while !stopRequested.load(ordering: .acquiring) {
                beat()
                guard try ZMQPoller.readable([events], timeoutMilliseconds: pollIntervalMilliseconds)[0] else {
                    continue
                }
                let batch = try receiveBatch()
                if !batch.items.isEmpty { hand(batch) }
            }
            // Graceful stop: everything libzmq already holds is decoded and handed over.
            while true {
                let batch = try receiveBatch()
                if batch.items.isEmpty { break }
                hand(batch)
            }
            hand(Batch(isLast: true))
        } catch {
            hand(Batch(isLast: true, error: error))
        }
    }

    /// Queues a batch for the detection thread and wakes it; frees the batches it gave back.
    private func hand(_ batch: Batch, wake: ZMQSocket) {
        // Waits for a free place, beating the heart meanwhile: a full queue means detection is busy, not stuck.
        while credits.wait(timeout: .now() + .milliseconds(100)) == .timedOut { beat() }
        queue.withLock { $0.append(batch) }
        // A full wake queue means the detection thread has wake-ups pending already.
        _ = try? wake.send(UnsafeRawBufferPointer(start: nil, count: 0), dontWait: true)
        var done: [Batch] = []
        spent.withLock { swap(&$0, &done) }
        // `done` is freed here, outside the lock.
    }

    private func beat() {
        let now = ContinuousClock.now
        heartbeatState.withLock { $0 = now }
    }
}

/// Names the calling thread for the operating system (`top -H`, `perf`, `/proc/<pid>/task/*/comm`; 15
/// characters at most): Foundation's `Thread.name` does not reach it on Linux, and `pthread_setname_np` is not
/// visible to Swift there, so the name is written where the kernel keeps it. Best effort.
func nameCurrentThread(_ name: String) {
    let descriptor = open("/proc/thread-self/comm", O_WRONLY)
    guard descriptor >= 0 else { return }
    defer { close(descriptor) }
    let bytes = Array(name.utf8.prefix(15))
    _ = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
}
