import Foundation
import Synchronization

/// A bounded first-in, first-out hand-over from one producing thread to one consuming thread, both of which
/// block: the producer when `capacity` items wait, the consumer when none does.
final class BatchHandoff<Item: Sendable>: Sendable {
    private let queue = Mutex<(items: [Item], finished: Bool)>(([], false))
    private let free: DispatchSemaphore
    private let ready = DispatchSemaphore(value: 0)

    init(capacity: Int) {
        free = DispatchSemaphore(value: capacity)
    }

    /// Adds an item, waiting for a free place.
    func put(_ item: Item) {
        free.wait()
        queue.withLock { $0.items.append(item) }
        ready.signal()
    }

    /// No more items will come; `take()` returns `nil` once the queue is empty.
    func finish() {
        queue.withLock { $0.finished = true }
        ready.signal()
    }

    /// The oldest item, waiting for one; `nil` after `finish()` and the last item.
    func take() -> Item? {
        ready.wait()
        let item: Item? = queue.withLock { queue in
            queue.items.isEmpty ? nil : queue.items.removeFirst()
        }
        if item != nil { free.signal() }
        return item
    }
}
