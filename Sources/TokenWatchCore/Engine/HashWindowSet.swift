/// A set of 64-bit hashes that are already uniformly spread (``SubjectHash`` values), in one flat array:
/// open addressing with linear probing, and removal by shifting the following run back (no tombstones).
///
/// What ``RecentEventIDs`` asks of it on every event with an id: one insert and, once the window is full,
/// one removal. A `Set<UInt64>` hashes each value again with SipHash and checks its storage's uniqueness on
/// every change; here a value is its own hash (its low bits pick the slot), and the table never grows: it is
/// sized once for the most values it will hold, at most half full, so a probe for an absent value (the
/// usual case: a new id) reads one or two cache lines.
struct HashWindowSet: Sendable {
    /// 0 marks an empty slot; the value 0 is stored as 1 (a 64-bit hash is 0 or 1 with negligible odds,
    /// and both then count as one value: at worst one event in 2⁶³ is taken for a repeat).
    private var slots: [UInt64]
    private let mask: Int
    private(set) var count = 0

    /// A set for at most `capacity` values.
    init(capacity: Int) {
        var size = 8
        while size < 2 * capacity { size <<= 1 }
        slots = [UInt64](repeating: 0, count: size)
        mask = size - 1
    }

    /// Inserts `value`; whether it was absent.
    mutating func insert(_ value: UInt64) -> Bool {
        let (index, found) = probe(value)
        guard !found else { return false }
        precondition(count < mask, "more values than the capacity the set was made for")
        slots[index] = Swift.max(value, 1)
        count += 1
        return true
    }

    /// Removes `value` if present.
    mutating func remove(_ value: UInt64) {
        let (index, found) = probe(value)
        guard found else { return }
        // Shift back every later value of the run that may sit in the hole: one whose home slot is not
        // cyclically within (hole, its position].
        var hole = index
        var next = (hole + 1) & mask
        while slots[next] != 0 {
            let home = Int(truncatingIfNeeded: slots[next]) & mask
            let stays = hole <= next ? (hole < home && home <= next) : (hole < home || home <= next)
            if !stays {
                slots[hole] = slots[next]
                hole = next
            }
            next = (next + 1) & mask
        }
        slots[hole] = 0
        count -= 1
    }

    func contains(_ value: UInt64) -> Bool { probe(value).found }

    /// Where `value` is (`found`), or the empty slot that ends its run, where it would go.
    private func probe(_ value: UInt64) -> (index: Int, found: Bool) {
        let value = Swift.max(value, 1)
        var index = Int(truncatingIfNeeded: value) & mask
        while slots[index] != 0 {
            if slots[index] == value { return (index, true) }
            index = (index + 1) & mask
        }
        return (index, false)
    }
}
