import Foundation
import Synchronization
import Testing

@testable import TokenWatchRuntime

/// The hand-off between a real producing thread and the test's thread, as the decode stages use it.
@Suite("Batch hand-off")
struct BatchHandoffTests {
    struct ReadFailure: Error {}

    /// Runs `body` on a new thread.
    func onThread(_ body: @escaping @Sendable () -> Void) {
        Thread { body() }.start()
    }

    @Test func batchesArriveInOrderThenTheFinishWhichStays() {
        let handoff = BatchHandoff<Int>(capacity: 3)
        onThread {
            for batch in 1...20 { handoff.put(batch) }
            handoff.finish(.success(()))
        }
        var received: [Int] = []
        while case .batch(let batch) = handoff.next() { received.append(batch) }
        #expect(received == Array(1...20))
        guard case .finished(.success) = handoff.next(), case .finished(.success)? = handoff.nextIfReady() else {
            Issue.record("the end is told to whoever asks again")
            return
        }
    }

    @Test func theProducerWaitsWhileTheQueueIsFull() throws {
        let handoff = BatchHandoff<Int>(capacity: 2)
        let waited = Atomic<Int>(0)
        onThread {
            for batch in 1...3 { handoff.put(batch) { waited.add(1, ordering: .relaxed) } }
            handoff.finish(.success(()))
        }
        let deadline = ContinuousClock.now + .seconds(20)
        while waited.load(ordering: .relaxed) == 0 {
            guard ContinuousClock.now < deadline else { throw TimedOut(what: "the producer to wait") }
            Thread.sleep(forTimeInterval: 0.01)
        }
        // The producer waits with the third batch: two are queued.
        #expect(handoff.hasWaitingBatches)
        var received: [Int] = []
        while case .batch(let batch) = handoff.next() { received.append(batch) }
        #expect(received == [1, 2, 3])
    }

    @Test func nothingIsReadyBeforeTheFirstBatch() {
        let handoff = BatchHandoff<Int>(capacity: 2)
        #expect(handoff.nextIfReady() == nil)
        #expect(!handoff.hasWaitingBatches)
        handoff.put(7)
        guard case .batch(7)? = handoff.nextIfReady() else {
            Issue.record("the batch put is ready")
            return
        }
        #expect(handoff.nextIfReady() == nil)
    }

    @Test func aStopReachesTheProducerWhichEndsTheHandoffWithItsResult() {
        let handoff = BatchHandoff<Int>(capacity: 2)
        #expect(handoff.isOpen)
        handoff.requestStop()
        #expect(!handoff.isOpen)
        handoff.put(1)
        handoff.finish(.failure(ReadFailure()))
        guard case .batch(1) = handoff.next(), case .finished(.failure(let error)) = handoff.next() else {
            Issue.record("the batch handed over after the stop, then the failure")
            return
        }
        #expect(error is ReadFailure)
    }

    /// The threads batches were freed on, and the producer's.
    final class FreedOn: Sendable {
        let threads = Mutex<[pthread_t]>([])
        let producer = Mutex<pthread_t?>(nil)
    }

    /// A batch that records the thread it is freed on.
    final class Tracked: Sendable {
        let freedOn: FreedOn
        init(_ freedOn: FreedOn) { self.freedOn = freedOn }
        deinit { freedOn.threads.withLock { $0.append(pthread_self()) } }
    }

    @Test func batchesGivenBackAreFreedOnTheProducersThread() throws {
        let handoff = BatchHandoff<Tracked>(capacity: 2)
        let freedOn = FreedOn()
        let step = DispatchSemaphore(value: 0)
        Thread {
            freedOn.producer.withLock { $0 = pthread_self() }
            handoff.put(Tracked(freedOn))
            step.wait()
            handoff.put(Tracked(freedOn))
            handoff.finish(.success(()))
        }.start()
        // In a function of its own, so that the test holds no reference once it has given the batch back.
        func takeAndGiveBack() {
            if case .batch(let batch) = handoff.next() { handoff.giveBack(batch) }
        }
        takeAndGiveBack()
        step.signal()
        takeAndGiveBack()
        guard case .finished = handoff.next() else { throw TimedOut(what: "the finish") }
        // The first was freed by the second `put`; the second is still held for the producer.
        let producer = try #require(freedOn.producer.withLock { $0 })
        #expect(freedOn.threads.withLock { $0 } == [producer])
    }
}
