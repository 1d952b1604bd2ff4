import Foundation
import Synchronization

/// The bounded hand-over of decoded batches from the thread that decodes to the thread that detects, first in,
/// first out, for `run` (``DecodeStage``) and `replay` (``FileDecodeStage``) alike. It ends with
/// ``Next/finished(_:)``, once the producer has handed over everything and closed what it read from.
///
/// At most `capacity` batches wait: past that the producer blocks, so a fast reader never holds more than a
/// few thousand decoded events. Batches the consumer is done with come back to the producer, which frees them
/// when it next hands one over: their events were allocated on its thread, and freeing them on the busier
/// detection thread would make every free a remote one for the allocator.
final class BatchHandoff<Batch: Sendable>: Sendable {
    /// What the consumer takes next.
    enum Next: Sendable {
        case batch(Batch)
        /// The producer has handed over its last batch: it reached the end of its input (or was asked to
        /// stop and handed over what its source still held), or failed.
        case finished(Result<Void, any Error>)
    }

    private enum Phase {
        /// The producer hands over what it receives.
        case open
        /// The consumer asked the producer to stop: it hands over what its source already holds, then finishes.
        case stopping
        case finished(Result<Void, any Error>)
    }

    private struct Contents {
        var phase = Phase.open
        var queue: [Batch] = []
        var spent: [Batch] = []
    }

    private let contents = Mutex(Contents())
    /// Free places in the queue, for the producer.
    private let free: DispatchSemaphore
    /// One signal per batch queued and one for the finish, for the consumer.
    private let ready = DispatchSemaphore(value: 0)

    init(capacity: Int) {
        free = DispatchSemaphore(value: capacity)
    }

    // MARK: The producer's side

    /// Whether the producer should go on receiving; once a stop is asked it hands over what its source
    /// already holds and finishes.
    var isOpen: Bool {
        contents.withLock {
            if case .open = $0.phase { true } else { false }
        }
    }

    /// Whether the consumer has batches waiting: it is behind.
    var hasWaitingBatches: Bool { contents.withLock { !$0.queue.isEmpty } }

    /// Queues a batch, waiting for a free place and calling `whileWaiting` every 100 ms meanwhile; then frees
    /// the batches the consumer gave back.
    func put(_ batch: Batch, whileWaiting: () -> Void = {}) {
        while free.wait(timeout: .now() + .milliseconds(100)) == .timedOut { whileWaiting() }
        var done: [Batch] = []
        contents.withLock { contents in
            contents.queue.append(batch)
            swap(&contents.spent, &done)
        }
        ready.signal()
        // `done` is freed here, on the producer's thread, outside the lock.
    }

    /// No batch will follow: the consumer takes `.finished(result)` after the last one, and from then on.
    func finish(_ result: Result<Void, any Error>) {
        contents.withLock { $0.phase = .finished(result) }
        ready.signal()
    }

    // MARK: The consumer's side

    /// The oldest batch, or the end, waiting for one.
    func next() -> Next {
        ready.wait()
        return take()
    }

    /// The oldest batch, or the end, if either has come.
    func nextIfReady() -> Next? {
        guard ready.wait(timeout: .now()) == .success else { return nil }
        return take()
    }

    /// Gives a batch back, to be freed on the producer's thread.
    func giveBack(_ batch: Batch) {
        contents.withLock { $0.spent.append(batch) }
    }

    /// Asks the producer to stop receiving and finish.
    func requestStop() {
        contents.withLock { contents in
            if case .open = contents.phase { contents.phase = .stopping }
        }
    }

    private func take() -> Next {
        let next: Next = contents.withLock { contents in
            if !contents.queue.isEmpty { return .batch(contents.queue.removeFirst()) }
            guard case .finished(let result) = contents.phase else {
                preconditionFailure("a signal without a batch or the finish")
            }
            return .finished(result)
        }
        switch next {
        case .batch: free.signal()
        // The end stays: whoever asks again learns it at once.
        case .finished: ready.signal()
        }
        return next
    }
}
