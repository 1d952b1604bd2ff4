/// A detector's state per subject (user, agent, session), kept in order of last activity.
///
/// Why not a plain `Dictionary`: a detector must forget subjects that fell out of its window and, under a
/// flood, the ones seen least recently. With a dictionary both mean scanning (or sorting) every subject, a
/// stall that grows with the table: at 300 000 subjects, tens of milliseconds during which no event is
/// handled. Here the subjects also form a list from least to most recently active, so both are done from
/// the old end, one subject at a time, in time proportional to what is removed.
///
/// Entries live in one contiguous array (removal moves the last entry into the hole), linked by indices; a
/// dictionary maps keys to positions. Activity times only move forward, and a subject moves to the recent end
/// when its time does. An event later than others already seen (within the allowed lateness) can leave the
/// list slightly out of order; such a subject is then forgotten a little later than it could be, never
/// earlier, so detection cannot tell.
struct SubjectTable<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    private struct Entry: Sendable {
        var key: Key
        var value: Value
        var lastActive: EventTime
        /// Neighbours in activity order: indices into `entries`, or -1.
        var older: Int32
        var newer: Int32
    }

    private var positions: [Key: Int32] = [:]
    private var entries: [Entry] = []
    private var oldest: Int32 = -1
    private var newest: Int32 = -1

    init() {}

    var count: Int { entries.count }
    var isEmpty: Bool { entries.isEmpty }

    /// The state of `key`, without counting as activity.
    subscript(key: Key) -> Value? {
        guard let position = positions[key] else { return nil }
        return entries[Int(position)].value
    }

    /// When `key` was last active.
    func lastActive(_ key: Key) -> EventTime? {
        positions[key].map { entries[Int($0)].lastActive }
    }

    /// Runs `body` on the state of `key` (made by `make` if the subject is new), in place, and records
    /// activity at `time`.
    mutating func update<Result>(
        _ key: Key, activeAt time: EventTime, orInsert make: () -> Value, _ body: (inout Value) -> Result
    ) -> Result {
        let position: Int
        if let existing = positions[key] {
            position = Int(existing)
            if time > entries[position].lastActive {
                entries[position].lastActive = time
                moveToNewest(position)
            }
        } else {
            position = entries.count
            entries.append(Entry(key: key, value: make(), lastActive: time, older: newest, newer: -1))
            positions[key] = Int32(position)
            if newest >= 0 { entries[Int(newest)].newer = Int32(position) } else { oldest = Int32(position) }
            newest = Int32(position)
        }
        return body(&entries[position].value)
    }

    /// Forgets every subject last active before `start`; returns how many.
    @discardableResult
    mutating func removeInactive(before start: EventTime) -> Int {
        var removed = 0
        while oldest >= 0, entries[Int(oldest)].lastActive < start {
            remove(at: Int(oldest))
            removed += 1
        }
        return removed
    }

    /// Forgets the least recently active subjects until at most `limit` remain; returns how many.
    @discardableResult
    mutating func removeLeastRecentlyActive(keeping limit: Int) -> Int {
        var removed = 0
        while entries.count > max(limit, 0) {
            remove(at: Int(oldest))
            removed += 1
        }
        return removed
    }

    /// Removes `key`, if present.
    mutating func removeValue(forKey key: Key) {
        if let position = positions[key] { remove(at: Int(position)) }
    }

    /// Every subject with its state and last activity, least recently active first.
    var inActivityOrder: [(key: Key, value: Value, lastActive: EventTime)] {
        var result: [(key: Key, value: Value, lastActive: EventTime)] = []
        result.reserveCapacity(entries.count)
        var position = oldest
        while position >= 0 {
            let entry = entries[Int(position)]
            result.append((entry.key, entry.value, entry.lastActive))
            position = entry.newer
        }
        return result
    }

    private mutating func unlink(_ position: Int) {
        let older = entries[position].older
        let newer = entries[position].newer
        if older >= 0 { entries[Int(older)].newer = newer } else { oldest = newer }
        if newer >= 0 { entries[Int(newer)].older = older } else { newest = older }
    }

    private mutating func moveToNewest(_ position: Int) {
        guard newest != Int32(position) else { return }
        unlink(position)
        entries[position].older = newest
        entries[position].newer = -1
        entries[Int(newest)].newer = Int32(position)
        newest = Int32(position)
    }

    private mutating func remove(at position: Int) {
        unlink(position)
        positions[entries[position].key] = nil
        let last = entries.count - 1
        if position != last {
            // The last entry fills the hole: its neighbours and its key now point at `position`.
            entries.swapAt(position, last)
            let older = entries[position].older
            let newer = entries[position].newer
            if older >= 0 { entries[Int(older)].newer = Int32(position) } else { oldest = Int32(position) }
            if newer >= 0 { entries[Int(newer)].older = Int32(position) } else { newest = Int32(position) }
            positions[entries[position].key] = Int32(position)
        }
        entries.removeLast()
    }
}

extension SubjectTable: Codable where Key: Codable, Value: Codable {
    /// Coded as a list of `[key, last active, state]`, least recently active first, so that a restored table
    /// has the same order.
    func encode(to encoder: any Encoder) throws {
        var container = encoder.unkeyedContainer()
        for entry in inActivityOrder {
            var triple = container.nestedUnkeyedContainer()
            try triple.encode(entry.key)
            try triple.encode(entry.lastActive)
            try triple.encode(entry.value)
        }
    }

    init(from decoder: any Decoder) throws {
        self.init()
        var container = try decoder.unkeyedContainer()
        while !container.isAtEnd {
            var triple = try container.nestedUnkeyedContainer()
            let key = try triple.decode(Key.self)
            let lastActive = try triple.decode(EventTime.self)
            let value = try triple.decode(Value.self)
            update(key, activeAt: lastActive, orInsert: { value }) { _ in }
        }
    }
}
