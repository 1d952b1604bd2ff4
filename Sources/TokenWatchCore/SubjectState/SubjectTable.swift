/// A detector's state per subject (user, agent, session), kept in order of last activity.
///
/// Why not a plain `Dictionary`: a detector must forget subjects that fell out of its window and, under a
/// flood, the ones seen least recently. With a dictionary both mean scanning (or sorting) every subject, a
/// stall that grows with the table: at 300 000 subjects, tens of milliseconds during which no event is
/// handled. Here the subjects also form a list from least to most recently active, so both are done from
/// the old end, one subject at a time, in time proportional to what is removed.
///
/// Entries live in chunks of fixed size (so growing never copies the whole table; removal moves the last
/// entry into the hole), linked by positions; an ``IncrementalHashIndex`` maps keys to positions, also
/// without a stall when it grows. Activity times only move forward, and a subject moves to the recent end
/// when its time does. An event later than others already seen (within the allowed lateness) can leave the
/// list slightly out of order; such a subject is then forgotten a little later than it could be, never
/// earlier, so detection cannot tell.
struct SubjectTable<Key: SubjectKey, Value: Sendable>: Sendable {
    private struct Entry: Sendable {
        var key: Key
        var hash: Int
        var value: Value
        var lastActive: EventTime
        /// Neighbours in activity order: positions, or -1.
        var older: Int32
        var newer: Int32
    }

    private static var chunkShift: Int { 10 }
    private static var chunkMask: Int { (1 << chunkShift) - 1 }

    private var chunks: [[Entry]] = []
    private var index = IncrementalHashIndex()
    private var oldest: Int32 = -1 {
        didSet { oldestActive = oldest >= 0 ? self[oldest].lastActive : EventTime(milliseconds: .max) }
    }
    private var newest: Int32 = -1
    /// When the least recently active subject was last active (`.max` when there is none): every detector asks
    /// whether anything expired on every event, and almost always nothing has; this answers without reading an
    /// entry. Set with `oldest`, and when that entry's activity moves while it stays the oldest (a table of one).
    private var oldestActive = EventTime(milliseconds: .max)

    init() {}

    /// Subjects tracked (the index counts its keys; the table keeps no second count).
    var count: Int { index.count }

    private subscript(position: Int32) -> Entry {
        get { chunks[Int(position) >> Self.chunkShift][Int(position) & Self.chunkMask] }
        _modify { yield &chunks[Int(position) >> Self.chunkShift][Int(position) & Self.chunkMask] }
    }

    private func position(of key: Key, hash: Int) -> Int32? {
        index.find(hash: hash) { self[$0].key == key }
    }

    /// The state of `key`, without counting as activity.
    subscript(key: Key) -> Value? {
        self[key, hash: key.subjectHash]
    }

    /// The state of `key`, whose ``SubjectKey/subjectHash`` is `hash` (worked out once per event:
    /// ``EventKeys``), without counting as activity.
    subscript(key: Key, hash hash: Int) -> Value? {
        assert(hash == key.subjectHash, "a key's given hash must be its subjectHash")
        return position(of: key, hash: hash).map { self[$0].value }
    }

    /// When `key` was last active.
    func lastActive(_ key: Key) -> EventTime? {
        lastActive(key, hash: key.subjectHash)
    }

    /// When `key`, whose ``SubjectKey/subjectHash`` is `hash`, was last active.
    func lastActive(_ key: Key, hash: Int) -> EventTime? {
        assert(hash == key.subjectHash, "a key's given hash must be its subjectHash")
        return position(of: key, hash: hash).map { self[$0].lastActive }
    }

    /// Runs `body` on the state of `key` (made by `make` if the subject is new), in place, and records
    /// activity at `time`.
    mutating func update<Result>(
        _ key: Key, activeAt time: EventTime, orInsert make: () -> Value, change body: (inout Value) -> Result
    ) -> Result {
        update(key, hash: key.subjectHash, activeAt: time, orInsert: make, change: body)
    }

    /// ``update(_:activeAt:orInsert:change:)`` for a key whose ``SubjectKey/subjectHash`` is `hash`.
    mutating func update<Result>(
        _ key: Key, hash: Int, activeAt time: EventTime, orInsert make: () -> Value,
        change body: (inout Value) -> Result
    ) -> Result {
        assert(hash == key.subjectHash, "a key's given hash must be its subjectHash")
        let position: Int32
        if let existing = self.position(of: key, hash: hash) {
            position = existing
            if time > self[position].lastActive {
                self[position].lastActive = time
                moveToNewest(position)
            }
        } else {
            position = Int32(count)
            let entry = Entry(key: key, hash: hash, value: make(), lastActive: time, older: newest, newer: -1)
            let chunk = Int(position) >> Self.chunkShift
            if chunk == chunks.count {
                chunks.append([])
                chunks[chunk].reserveCapacity(1 << Self.chunkShift)
            }
            chunks[chunk].append(entry)
            index.insert(hash: hash, position: position)
            if newest >= 0 { self[newest].newer = position } else { oldest = position }
            newest = position
        }
        return body(&self[position].value)
    }

    /// Runs `body` on the state of `key` (whose ``SubjectKey/subjectHash`` is `hash`) in place and records
    /// activity at `time`, if the subject is tracked; `nil` otherwise (nothing is inserted).
    mutating func updateIfPresent<Result>(
        _ key: Key, hash: Int, activeAt time: EventTime, change body: (inout Value) -> Result
    ) -> Result? {
        assert(hash == key.subjectHash, "a key's given hash must be its subjectHash")
        guard let position = self.position(of: key, hash: hash) else { return nil }
        if time > self[position].lastActive {
            self[position].lastActive = time
            moveToNewest(position)
        }
        return body(&self[position].value)
    }

    /// Forgets every subject last active before `start`; returns how many.
    @discardableResult
    mutating func removeInactive(before start: EventTime) -> Int {
        var removed = 0
        while oldestActive < start {
            remove(at: oldest)
            removed += 1
        }
        return removed
    }

    /// Forgets the least recently active subjects until at most `limit` remain; returns how many.
    @discardableResult
    mutating func removeLeastRecentlyActive(keeping limit: Int) -> Int {
        var removed = 0
        while count > max(limit, 0) {
            remove(at: oldest)
            removed += 1
        }
        return removed
    }

    /// Every subject with its state and last activity, least recently active first.
    var inActivityOrder: [(key: Key, value: Value, lastActive: EventTime)] {
        var result: [(key: Key, value: Value, lastActive: EventTime)] = []
        result.reserveCapacity(count)
        var position = oldest
        while position >= 0 {
            let entry = self[position]
            result.append((entry.key, entry.value, entry.lastActive))
            position = entry.newer
        }
        return result
    }

    /// The table split in `count` by the shard of each subject's owner, each part in the same activity
    /// order: what restoring a checkpoint written before the engine's shards does.
    func split(into count: Int, by shard: (String) -> Int) -> [SubjectTable] {
        var parts = [SubjectTable](repeating: SubjectTable(), count: count)
        for entry in inActivityOrder {
            parts[shard(entry.key.owner)].update(
                entry.key, activeAt: entry.lastActive, orInsert: { entry.value }, change: { _ in })
        }
        return parts
    }

    private mutating func unlink(_ position: Int32) {
        let older = self[position].older
        let newer = self[position].newer
        if older >= 0 { self[older].newer = newer } else { oldest = newer }
        if newer >= 0 { self[newer].older = older } else { newest = older }
    }

    private mutating func moveToNewest(_ position: Int32) {
        guard newest != position else {
            if oldest == position { oldestActive = self[position].lastActive }
            return
        }
        unlink(position)
        self[position].older = newest
        self[position].newer = -1
        self[newest].newer = position
        newest = position
    }

    private mutating func remove(at position: Int32) {
        let last = Int32(count - 1)
        unlink(position)
        index.remove(hash: self[position].hash, position: position)
        let moved = chunks[Int(last) >> Self.chunkShift].removeLast()
        // Empty chunks at the end are kept, up to two, so a table hovering at a chunk boundary does not
        // allocate and free one per event.
        while chunks.count > (count >> Self.chunkShift) + 2 { chunks.removeLast() }
        guard position != last else { return }
        // The last entry fills the hole: its neighbours and its bucket now point at `position`. Read before the
        // entry is moved in: used after, it would be copied (a retain of each of its references) and destroyed.
        let (older, newer, hash) = (moved.older, moved.newer, moved.hash)
        self[position] = consume moved
        if older >= 0 { self[older].newer = position } else { oldest = position }
        if newer >= 0 { self[newer].older = position } else { newest = position }
        index.move(hash: hash, from: last, to: position)
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
            update(key, activeAt: lastActive, orInsert: { value }, change: { _ in })
        }
    }
}
