/// A detector whose state is one ``SubjectTable``: how many subjects it tracks, eviction and expiry follow
/// from the table.
protocol SubjectTableDetector: Detector {
    associatedtype Key: SubjectKey
    associatedtype State: Sendable
    var subjects: SubjectTable<Key, State> { get set }
}

extension SubjectTableDetector {
    var trackedSubjects: Int { subjects.count }

    mutating func evictIdlest(limit: Int) -> Int {
        subjects.removeLeastRecentlyActive(keeping: limit)
    }

    mutating func expire(before start: EventTime) {
        subjects.removeInactive(before: start)
    }

    func split(into count: Int, by shard: (String) -> Int) -> [Self] {
        subjects.split(into: count, by: shard).map { part in
            var detector = Self(configuration: configuration)
            detector.subjects = part
            return detector
        }
    }
}
