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
/// messages) cross through a ``BatchHandoff`` and keep the hand-over cheap: one lock and, when the detection
/// thread sleeps, one inproc message per batch, not per event. At most ``maxQueuedBatches`` wait; past that this
/// thread stops receiving, libzmq's receive high-water mark fills and publishers are pushed back.
///
/// The thread owns the event socket from creation to close (libzmq sockets are not thread-safe). It binds it
/// before ``start(...)`` returns, so a bad endpoint still fails the daemon's start, and closes it before the
/// hand-off finishes.
final class DecodeStage: Sendable {
    struct Batch: Sendable {
        /// What each message decoded to, in order; read in place by the detection thread.
        var items: [DecodedEvent] = []
        /// Wall-clock time at which the batch was received, for the `max_future` check.
        var receivedAt = EventTime(milliseconds: 0)
    }

    static let maxQueuedBatches = 8
    /// How many messages a batch takes while the detection thread still has batches waiting: it is behind,
    /// so an alert waits anyway, and a larger batch gives the detection threads segments worth spreading
    /// (``DetectionWorkers/minimumParallelSteps``). Otherwise a batch takes up to the pipeline's
    /// `batchLimit` (64), so that alerts leave soon.
    static let backlogBatchLimit = 1024

    /// Where decoded batches wait for the detection thread, which takes them with
    /// ``BatchHandoff/nextIfReady()`` and gives them back to be freed here.
    let handoff = BatchHandoff<Batch>(capacity: DecodeStage.maxQueuedBatches)
    private let limits: Mutex<EventDecoder.Limits>
    private let heartbeatState = Mutex<ContinuousClock.Instant?>(nil)
    private let taken = Atomic<Int>(0)

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

    /// Asks the thread to stop receiving: it takes what libzmq already holds, hands it over, then finishes.
    func requestStop() {
        handoff.requestStop()
    }

    /// Stops the thread and waits until it has closed its event socket (before the context may go), taking
    /// what it hands over meanwhile so that it cannot stay blocked on a full queue.
    func stopAndWait() {
        handoff.requestStop()
        while case .batch = handoff.next() {}
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
                handoff.finish(.failure(error))
                return
            }
            let result = Result {
                try run(
                    events: events, wake: wake, batchLimit: batchLimit,
                    pollIntervalMilliseconds: pollIntervalMilliseconds)
            }
            events.close()
            handoff.finish(result)
            wakeDetection(wake)
            wake.close()
        }
        thread.start()
        started.wait()
        return try bound.withLock { $0! }.get()
    }

    /// Receives until a stop is asked, then hands over what libzmq already holds; throws what the event socket
    /// throws.
    private func run(events: ZMQSocket, wake: ZMQSocket, batchLimit: Int, pollIntervalMilliseconds: Int) throws {
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
            let behind = handoff.hasWaitingBatches
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
        while handoff.isOpen {
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
    }

    /// Queues a batch for the detection thread and wakes it.
    private func hand(_ batch: Batch, wake: ZMQSocket) {
        // Beats the heart while waiting for a free place: a full queue means detection is busy, not stuck.
        handoff.put(batch, whileWaiting: beat)
        wakeDetection(wake)
    }

    private func wakeDetection(_ wake: ZMQSocket) {
        // A full wake queue means the detection thread has wake-ups pending already.
        _ = try? wake.send(UnsafeRawBufferPointer(start: nil, count: 0), dontWait: true)
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
