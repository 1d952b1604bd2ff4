/// Maps subject keys (by their hash) to positions in a ``SubjectTable``, growing without a stall.
///
/// Why not a `Dictionary`: a dictionary grows by rehashing every key at once. At a few hundred thousand
/// subjects, that is milliseconds to tens of milliseconds during which the ingest thread handles no event,
/// several tables at once since the same new users reach all of them: the tail of the event-to-alert latency.
/// Here a growing table moves its entries to the new one a few buckets per operation, so every operation
/// stays short: open addressing with linear probing; while a table retires, lookups try the new one first.
///
/// A bucket holds the low 32 bits of the key's hash (its home, and a quick check before the caller compares
/// keys) and the position. The hash is the key's ``SubjectKey/subjectHash``, seeded per process, so colliding ids
/// cannot be precomputed.
///
/// Tables are made of segments of 8 192 buckets, allocated on first write (see ``BucketTable``).
struct IncrementalHashIndex: Sendable {
    /// 0 empty, `deleted` a tombstone, else hash bits << 32 | (position + 1).
    private var buckets = BucketTable(capacity: 0)
    private var retiring = BucketTable(capacity: 0)
    private var migrated = 0
    /// Live positions in `buckets` and tombstones there; live ones in `retiring` are not counted here.
    private var used = 0
    private(set) var count = 0

    private static let deleted = UInt64.max
    /// Buckets of a retiring table moved per operation: enough to finish long before the next growth.
    private static let migrationStep = 8

    init() {}

    private static func bucket(_ hash: Int, _ position: Int32) -> UInt64 {
        UInt64(UInt32(truncatingIfNeeded: hash)) << 32 | UInt64(UInt32(position) + 1)
    }

    /// The position whose key has `hash` and satisfies `matches`, if any.
    func find(hash: Int, where matches: (Int32) -> Bool) -> Int32? {
        let tag = UInt32(truncatingIfNeeded: hash)
        return (Self.probe(buckets, tag: tag, where: matches) ?? Self.probe(retiring, tag: tag, where: matches))?
            .position
    }

    /// Records `position` for a key known to be absent.
    mutating func insert(hash: Int, position: Int32) {
        migrateSome()
        if (used + 1) * 2 > buckets.count { startGrowing() }
        Self.place(&buckets, Self.bucket(hash, position))
        used += 1
        count += 1
    }

    /// Forgets the bucket of `position`.
    mutating func remove(hash: Int, position: Int32) {
        overwriteBucket(of: position, hash: hash, with: Self.deleted)
        count -= 1
        migrateSome()
    }

    /// Points the bucket of `old` at `new` (the table moved an entry).
    mutating func move(hash: Int, from old: Int32, to new: Int32) {
        overwriteBucket(of: old, hash: hash, with: Self.bucket(hash, new))
    }

    /// Replaces the bucket that holds `position`, in whichever table holds it.
    private mutating func overwriteBucket(of position: Int32, hash: Int, with value: UInt64) {
        let tag = UInt32(truncatingIfNeeded: hash)
        if let bucket = Self.probe(buckets, tag: tag, where: { $0 == position })?.bucket {
            buckets[bucket] = value
        } else if let bucket = Self.probe(retiring, tag: tag, where: { $0 == position })?.bucket {
            retiring[bucket] = value
        } else {
            preconditionFailure("SubjectTable: no bucket for position \(position)")
        }
    }

    private static func probe(_ table: BucketTable, tag: UInt32, where matches: (Int32) -> Bool) -> (
        bucket: Int, position: Int32
    )? {
        guard !table.isEmpty else { return nil }
        let mask = table.count - 1
        var index = Int(tag) & mask
        while true {
            let value = table[index]
            if value == 0 { return nil }
            if value != deleted && UInt32(truncatingIfNeeded: value >> 32) == tag {
                let position = Int32(truncatingIfNeeded: value & 0xFFFF_FFFF) - 1
                if matches(position) { return (index, position) }
            }
            index = (index + 1) & mask
        }
    }

    private static func place(_ table: inout BucketTable, _ bucket: UInt64) {
        let mask = table.count - 1
        var index = Int(UInt32(truncatingIfNeeded: bucket >> 32)) & mask
        while table[index] != 0 && table[index] != deleted { index = (index + 1) & mask }
        table[index] = bucket
    }

    /// A new table four times the live count (at least 16): half full again only after the count doubles,
    /// and by then the old one, at most half that size, has long been moved over.
    private mutating func startGrowing() {
        while !retiring.isEmpty { migrateSome() }
        var capacity = 16
        while capacity < (count + 1) * 4 { capacity *= 2 }
        retiring = buckets
        migrated = 0
        buckets = BucketTable(capacity: capacity)
        used = 0
        if retiring.isEmpty { return }
        migrateSome()
    }

    private mutating func migrateSome() {
        guard !retiring.isEmpty else { return }
        let end = min(migrated + Self.migrationStep, retiring.count)
        while migrated < end {
            let value = retiring[migrated]
            if value != 0 && value != Self.deleted {
                Self.place(&buckets, value)
                used += 1
                // Left as a tombstone, not emptied, so that probes through it still reach later buckets.
                retiring[migrated] = Self.deleted
            }
            migrated += 1
        }
        if migrated == retiring.count {
            retiring = BucketTable(capacity: 0)
            migrated = 0
        }
    }
}

/// The buckets of one table, in segments of 8 192 (64 KiB) allocated when first written.
///
/// Why segments: a table of a million buckets allocated and zeroed at once costs about 6 ms here, and one
/// copied whole (copy-on-write, after a checkpoint took a snapshot of the engine) as much again, every time:
/// stalls in the event-to-alert latency. A missing segment reads as empty; segments are allocated, and copied
/// after a snapshot, one at a time as they are written.
struct BucketTable: Sendable {
    let count: Int
    private let shift: Int
    private var segments: [[UInt64]]

    private static let segmentShift = 13

    init(capacity: Int) {
        count = capacity
        shift = min(Self.segmentShift, capacity.trailingZeroBitCount)
        segments = Array(repeating: [], count: capacity == 0 ? 0 : max(1, capacity >> shift))
    }

    var isEmpty: Bool { count == 0 }

    subscript(index: Int) -> UInt64 {
        get {
            let segment = index >> shift
            return segments[segment].isEmpty ? 0 : segments[segment][index & ((1 << shift) - 1)]
        }
        set {
            let segment = index >> shift
            if segments[segment].isEmpty { segments[segment] = Array(repeating: 0, count: 1 << shift) }
            segments[segment][index & ((1 << shift) - 1)] = newValue
        }
    }
}
