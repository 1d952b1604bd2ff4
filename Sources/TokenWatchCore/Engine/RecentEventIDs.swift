/// The ids of the most recent events, so that an event sent again (a gateway retrying, a replayed buffer, a
/// script resending one call twelve times) is counted once, not as twelve prompts.
///
/// The last `events.duplicate_id_window` ids in arrival order (0 turns the check off), kept as a ring and,
/// for the lookup every event makes, as a set of their 64-bit ``SubjectHash``es (``HashWindowSet``): two set
/// operations per event on a hash the decoder worked out, no string compared or stored in the set. Part of
/// the engine's state, so `run`, `replay` and a restored checkpoint agree.
struct RecentEventIDs: Sendable {
    var capacity: Int {
        didSet { if capacity != oldValue { rebuild(keeping: ring.isEmpty ? [] : idsOldestFirst) } }
    }
    private var ring: [String] = []
    private var hashes: [UInt64] = []
    /// Once the ring is full, the slot of the oldest id (the next to be overwritten).
    private var oldest = 0
    private var present: HashWindowSet

    init(capacity: Int) {
        self.capacity = capacity
        present = HashWindowSet(capacity: capacity)
    }

    /// Whether `id` is among the remembered ids; remembers it if not.
    mutating func isRepeat(_ id: String) -> Bool {
        isRepeat(id, hash: SubjectHash.hash(id))
    }

    /// The same, with the id's ``SubjectHash`` worked out already.
    mutating func isRepeat(_ id: String, hash: UInt64) -> Bool {
        guard capacity > 0 else { return false }
        guard present.insert(hash) else { return true }
        if ring.count < capacity {
            ring.append(id)
            hashes.append(hash)
        } else {
            present.remove(hashes[oldest])
            ring[oldest] = id
            hashes[oldest] = hash
            oldest = oldest + 1 == ring.count ? 0 : oldest + 1
        }
        return false
    }

    private var idsOldestFirst: [String] { Array(ring[oldest...] + ring[..<oldest]) }

    private mutating func rebuild(keeping ids: [String]) {
        ring = []
        hashes = []
        oldest = 0
        present = HashWindowSet(capacity: capacity)
        for id in ids.suffix(capacity) { _ = isRepeat(id) }
    }
}

/// Coded as the ids, oldest first, and the capacity: the hashes are seeded per process and are made again.
extension RecentEventIDs: Codable {
    private enum CodingKeys: String, CodingKey { case ids, capacity }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(capacity: try container.decode(Int.self, forKey: .capacity))
        rebuild(keeping: try container.decode([String].self, forKey: .ids))
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(capacity, forKey: .capacity)
        try container.encode(idsOldestFirst, forKey: .ids)
    }
}
