/// The times of recent occurrences inside a sliding event-time window, oldest first, with a cap.
///
/// The cap bounds memory under a flood: the window keeps the newest `capacity` times and a count of the
/// older ones it let go, so the count stays right until those expire.
/// Events are expected in roughly increasing time; a late one is inserted in order.
struct TimestampWindow: Sendable, Codable {
    private(set) var times: [EventTime] = []
    private var head = 0
    /// Occurrences evicted by the cap, older than every kept one; they expire with the first kept one.
    private var overflow = 0
    let capacity: Int

    init(capacity: Int) { self.capacity = capacity }

    var count: Int { times.count - head + overflow }
    var isEmpty: Bool { count == 0 }
    var oldest: EventTime? { head < times.count ? times[head] : nil }
    var newest: EventTime? { times.last }

    mutating func record(_ time: EventTime) {
        if let last = times.last, time < last {
            let index = times[head...].firstIndex(where: { $0 > time }) ?? times.count
            times.insert(time, at: index)
        } else {
            times.append(time)
        }
        if times.count - head > capacity {
            head += 1
            overflow += 1
        }
        compact()
    }

    /// Forgets occurrences before `start`.
    mutating func expire(before start: EventTime) {
        var expiredAny = false
        while head < times.count, times[head] < start {
            head += 1
            expiredAny = true
        }
        // Occurrences lost to the cap were older than every kept one, so they have expired too.
        if expiredAny { overflow = 0 }
        compact()
    }

    private mutating func compact() {
        if head > 32 && head * 2 > times.count {
            times.removeFirst(head)
            head = 0
        }
    }
}
