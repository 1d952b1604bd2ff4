/// Keeps a detector's per-subject state under a cap: when a flood of distinct users, agents or prompts pushes
/// a table past `limit`, the subjects seen least recently are forgotten, down to 90% of the cap so that the
/// sort is not repeated on every event. Returns how many were forgotten (counted, never silent).
enum SubjectEviction {
    static func evictIdlest<Key: Hashable, Value>(
        _ table: inout [Key: Value], limit: Int, lastSeen: (Value) -> EventTime
    ) -> Int {
        guard table.count > limit else { return 0 }
        let keep = max(limit * 9 / 10, 0)
        let excess = table.count - keep
        let idlest = table.map { ($0.key, lastSeen($0.value)) }.sorted { $0.1 < $1.1 }.prefix(excess)
        for (key, _) in idlest { table[key] = nil }
        return excess
    }
}
