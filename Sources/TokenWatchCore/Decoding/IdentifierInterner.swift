import Glibc

/// The strings of ids that events repeat (user, agent, parent, team, session, model, tool, time zone), made
/// once and handed out again while they keep coming, each with its ``SubjectHash``.
///
/// A stream names the same people, agents and sessions over and over. Made afresh for every event, an id is
/// checked as UTF-8, normalised, allocated when longer than 15 bytes, hashed once per table that keys on it,
/// and freed when the event is done. Here the bytes of the payload are hashed once and looked up in a
/// direct-mapped cache of the strings made before: a hit hands out the same string (one reference more,
/// nothing made), so equal ids share storage and compare by address, and comes with the hash of its text,
/// so the detection thread need not work it out again.
///
/// What the decoder needs to know about an id and that depends on nothing else (`Facts`: the virtual shard of
/// a user, whether a time zone exists) is worked out once per id made too, and handed out with it.
///
/// A hit is always the same id: the bytes are compared, not only their hash. Each hash has two places (a pair
/// of slots), and a new id takes the place of the one of the two used less recently. Why two: with one place
/// per hash, two busy ids whose hashes meet push each other out at every turn, and a dozen time zones in 256
/// places meet in about one process in five, each miss a question to the time zone database (measured in the
/// commit that gave each hash two places). The cache holds at most `slots` strings whatever the stream, and its
/// hash is seeded per process (``SubjectHash``), so ids chosen to collide cannot be prepared in advance; at
/// worst they make it miss.
final class IdentifierInterner<Facts> {
    /// An id as events carry it, the hash of that text, and the facts about it.
    struct Interned {
        var text: String
        var hash: UInt64
        var facts: Facts
    }

    private struct Slot {
        /// The hash of the payload's bytes, which chose the slot.
        var rawHash: UInt64
        /// The payload's bytes as ``ShortBytes`` words, which tell ids of at most 16 bytes apart with two
        /// comparisons (nearly every id is that short).
        var words: ShortBytes
        /// A copy of the payload's bytes (allocated here; `nil` for none), compared with a longer payload's in
        /// place, so that a lookup touches no string.
        var raw: UnsafeMutableRawBufferPointer?
        var value: Interned
    }

    /// Allocated once and owned here: looking up a slot is then an address, with no check of the storage's
    /// uniqueness or of exclusive access on each event.
    private let slots: UnsafeMutableBufferPointer<Slot>
    private let mask: Int
    private let seed = SubjectHash.processSeed
    private let transform: (String) -> String
    private let facts: (String) -> Facts

    /// A cache of `slots` strings (rounded up to a power of two, at least one pair); `transform` turns a payload's
    /// text into the id kept (normalisation), and `facts` works out the facts about that id. Each must give the
    /// same output for the same input.
    init(slots: Int, transform: @escaping (String) -> String = { $0 }, facts: @escaping (String) -> Facts) {
        var count = 2
        while count < slots { count <<= 1 }
        let empty = Slot(
            rawHash: 0, words: ShortBytes(), raw: nil,
            value: Interned(text: "", hash: SubjectHash.hash(""), facts: facts("")))
        self.slots = .allocate(capacity: count)
        self.slots.initialize(repeating: empty)
        mask = (count - 1) & ~1
        self.transform = transform
        self.facts = facts
    }

    deinit {
        for slot in slots { slot.raw?.deallocate() }
        slots.deinitialize()
        slots.deallocate()
    }

    /// The id for `bytes` (valid UTF-8): the one made before when it is still cached, else made now.
    func intern(_ bytes: UnsafeRawBufferPointer) -> Interned {
        let rawHash = SubjectHash.hash(bytes, seed: seed)
        // The pair of places for this hash, the one used more recently first.
        let recent = slots.baseAddress! + (Int(truncatingIfNeeded: rawHash) & mask)
        let older = recent + 1
        let words = ShortBytes(bytes)
        if Self.holds(recent, rawHash, words, bytes) { return recent.pointee.value }
        if Self.holds(older, rawHash, words, bytes) {
            swap(&recent.pointee, &older.pointee)
            return recent.pointee.value
        }
        let raw = String(decoding: bytes, as: UTF8.self)
        let text = transform(raw)
        // The same text has the same hash: only an id the transform changed is hashed again.
        let value = Interned(text: text, hash: text == raw ? rawHash : SubjectHash.hash(text), facts: facts(text))
        let copy = UnsafeMutableRawBufferPointer.allocate(byteCount: bytes.count, alignment: 1)
        copy.copyMemory(from: bytes)
        // The older of the two goes; the more recent becomes the older.
        older.pointee.raw?.deallocate()
        older.pointee = recent.move()
        recent.initialize(to: Slot(rawHash: rawHash, words: words, raw: copy, value: value))
        return value
    }

    /// Read field by field through the pointer: taking the slot as a value would retain its string.
    @inline(__always)
    private static func holds(
        _ slot: UnsafeMutablePointer<Slot>, _ rawHash: UInt64, _ words: ShortBytes, _ bytes: UnsafeRawBufferPointer
    ) -> Bool {
        guard slot.pointee.rawHash == rawHash, slot.pointee.words == words, let raw = slot.pointee.raw,
            raw.count == bytes.count
        else { return false }
        return bytes.count <= ShortBytes.capacity || memcmp(raw.baseAddress!, bytes.baseAddress!, bytes.count) == 0
    }
}

extension IdentifierInterner where Facts == Void {
    /// A cache of ids about which nothing more is needed.
    convenience init(slots: Int, transform: @escaping (String) -> String = { $0 }) {
        self.init(slots: slots, transform: transform, facts: { _ in })
    }
}

@available(*, unavailable)
extension IdentifierInterner: Sendable {}
