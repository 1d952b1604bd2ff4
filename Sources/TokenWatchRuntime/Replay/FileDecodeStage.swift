import Foundation
import Synchronization
import TokenWatchCore

/// Reads an events file (JSON lines) and decodes it on a second thread, handing the caller its lines in
/// order: `replay`'s counterpart of ``DecodeStage``.
///
/// Parsing and fingerprinting are about a third of the work per event and need nothing but the bytes, so
/// they run beside detection instead of before it; detection, which needs the events in order, stays on the
/// caller's thread. Lines cross in batches (one lock per ``batchSize`` lines) through a queue of at most
/// ``maxQueuedBatches``, so a fast reader never holds more than a few thousand decoded events.
public enum FileDecodeStage {
    /// One non-blank line of the file, decoded.
    public struct Line: Sendable {
        /// 1-based, counting blank lines too, so errors point at the file as an editor shows it.
        public var number: Int
        public var decoded: DecodedEvent
    }

    static let batchSize = 256
    static let maxQueuedBatches = 16

    /// Calls `body` with every non-blank line of `input`, in order, on the calling thread; returns after the
    /// last one. A read error ends the file there, as reading it in place would. Each line is lent where it
    /// lies in its batch: `inout` only so that the event is not copied on the way; `body` reads it.
    public static func forEachLine(
        of input: FileHandle, limits: EventDecoder.Limits, _ body: (inout Line) -> Void
    ) {
        let handoff = BatchHandoff<[Line]>(capacity: maxQueuedBatches)
        // Batches the caller is done with go back to the reading thread, which frees them: the events' strings
        // and sketches were allocated there, and freeing them on the detection thread (the busier one) would
        // make every free a remote one for the allocator.
        let spent = Mutex<[[Line]]>([])
        let reader = Thread {
            nameCurrentThread("tw-read")
            let decoder = EventDecoder(limits: limits)
            var batch: [Line] = []
            batch.reserveCapacity(batchSize)
            var number = 0
            func handOver() {
                handoff.put(batch)
                batch = []
                batch.reserveCapacity(batchSize)
                var done: [[Line]] = []
                spent.withLock { swap(&$0, &done) }
                // `done` is freed here, on this thread, outside the lock.
            }
            LineReader(input).forEachLine { line in
                number += 1
                if line.allSatisfy({ $0 == 32 || $0 == 9 || $0 == 13 }) { return }
                batch.append(Line(number: number, decoded: decoder.decodeEvent(line)))
                if batch.count == batchSize { handOver() }
            }
            if !batch.isEmpty { handoff.put(batch) }
            handoff.finish()
        }
        reader.start()
        while var batch = handoff.take() {
            // Each line is lent to `body` where it lies (inout only so that it is neither copied, which would
            // retain every string of the event once more, nor moved out and back).
            for index in batch.indices { body(&batch[index]) }
            spent.withLock { $0.append(batch) }
        }
    }
}
