import Foundation
import TokenWatchCore

/// Reads an events file (JSON lines) and decodes it on a second thread, handing the caller its lines in
/// order: `replay`'s counterpart of ``DecodeStage``.
///
/// Parsing and fingerprinting are about a third of the work per event and need nothing but the bytes, so
/// they run beside detection instead of before it; detection, which needs the events in order, stays on the
/// caller's thread. Lines cross in batches (one lock per ``batchSize`` lines) through the ``BatchHandoff`` the live
/// pipeline uses too, which holds at most ``maxQueuedBatches``.
public enum FileDecodeStage {
    /// Consecutive non-blank lines of the file, decoded.
    public struct Batch: Sendable {
        /// Each line's number: 1-based, counting blank lines too, so errors point at the file as an editor
        /// shows it.
        public var numbers: [Int] = []
        /// What each line decoded to, in the same order.
        public var events: [DecodedEvent] = []

        var count: Int { events.count }

        mutating func reserve(_ capacity: Int) {
            numbers.reserveCapacity(capacity)
            events.reserveCapacity(capacity)
        }
    }

    static let batchSize = 1024
    static let maxQueuedBatches = 8

    /// Calls `body` with every batch of non-blank lines of `input`, in order, on the calling thread; returns
    /// after the last one. A read error ends the file there, as reading it in place would. Each batch is lent
    /// where it lies: `inout` only so that its events are not copied on the way; `body` reads them.
    public static func forEachBatch(of input: FileHandle, limits: EventDecoder.Limits, _ body: (inout Batch) -> Void) {
        let handoff = BatchHandoff<Batch>(capacity: maxQueuedBatches)
        let reader = Thread {
            nameCurrentThread("tw-read")
            let decoder = EventDecoder(limits: limits)
            var batch = Batch()
            batch.reserve(batchSize)
            var number = 0
            LineReader(input).forEachLine { line in
                number += 1
                if line.allSatisfy({ $0 == 32 || $0 == 9 || $0 == 13 }) { return }
                batch.numbers.append(number)
                batch.events.append(decoder.decodeEvent(line))
                if batch.count == batchSize {
                    handoff.put(batch)
                    batch = Batch()
                    batch.reserve(batchSize)
                }
            }
            if batch.count > 0 { handoff.put(batch) }
            // A read error ends the file where it happened, as reading it in place would: not a failure.
            handoff.finish(.success(()))
        }
        reader.start()
        while true {
            let next = handoff.next()
            // Consumed, so that the batch's events have one owner and `body` reads them in place, not copied.
            guard case .batch(var batch) = consume next else { return }
            body(&batch)
            handoff.giveBack(batch)
        }
    }
}
