/// A small ring of the most recent event ids, the evidence an alert cites.
///
/// Recorded on nearly every event by several detectors and read only when a finding is made, so once full
/// a new id overwrites the oldest in place rather than shifting the others.
struct EvidenceRing: Sendable {
    static let capacity = 5
    private var slots: [String] = []
    /// Once full, the slot of the oldest id (the next to be overwritten).
    private var oldest = 0

    /// Oldest first.
    var ids: [String] {
        oldest == 0 ? slots : Array(slots[oldest...] + slots[..<oldest])
    }

    mutating func record(_ id: String?) {
        guard let id else { return }
        if slots.count < Self.capacity {
            slots.append(id)
        } else {
            slots[oldest] = id
            oldest = oldest + 1 == Self.capacity ? 0 : oldest + 1
        }
    }
}

/// Encoded as the list of ids, oldest first (`{"ids": [oldest, …]}`): the checkpoint format.
extension EvidenceRing: Codable {
    private enum CodingKeys: String, CodingKey { case ids }

    init(from decoder: any Decoder) throws {
        let ids = try decoder.container(keyedBy: CodingKeys.self).decode([String].self, forKey: .ids)
        slots = Array(ids.suffix(Self.capacity))
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(ids, forKey: .ids)
    }
}
