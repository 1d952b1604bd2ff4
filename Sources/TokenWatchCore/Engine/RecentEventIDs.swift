/// The ids of the most recent events, so that an event sent again (a gateway retrying, a replayed buffer, a
/// script resending one call twelve times) is counted once, not as twelve prompts.
///
/// Bounded by a count (`events.duplicate_id_window`), the least recently seen id forgotten first; 0 turns it
/// off. Part of the engine's state, so `run`, `replay` and a restored checkpoint agree.
struct RecentEventIDs: Sendable, Codable {
    private var ids = SubjectTable<String, Bool>()
    var capacity: Int

    init(capacity: Int) { self.capacity = capacity }

    /// Whether `id` is among the remembered ids; remembers it either way.
    mutating func isRepeat(_ id: String, at time: EventTime) -> Bool {
        guard capacity > 0 else { return false }
        var seen = true
        ids.update(
            id, activeAt: time,
            orInsert: {
                seen = false
                return true
            }, change: { _ in })
        if ids.count > capacity { _ = ids.removeLeastRecentlyActive(keeping: capacity) }
        return seen
    }

    private enum CodingKeys: String, CodingKey { case ids, capacity }
}
