import Foundation
import Testing
import TokenWatchSimulation

@testable import TokenWatchCore

@Suite("Subject tables")
struct SubjectTableTests {
    @Test func expiryAndEvictionTakeTheLeastRecentlyActive() {
        var table = SubjectTable<String, Int>()
        for (user, minute) in [("a", 1), ("b", 2), ("c", 3), ("a", 4)] {
            table.update(
                user, activeAt: EventTime(milliseconds: Int64(minute) * 60_000), orInsert: { 0 }, change: { $0 += 1 })
        }
        // a moved to the recent end at minute 4: the order is b, c, a.
        #expect(table.inActivityOrder.map(\.key) == ["b", "c", "a"])
        #expect(table["a"] == 2)
        #expect(table.removeInactive(before: EventTime(milliseconds: 3 * 60_000)) == 1)
        #expect(table["b"] == nil)
        #expect(table.removeLeastRecentlyActive(keeping: 1) == 1)
        #expect(table.inActivityOrder.map(\.key) == ["a"])
    }

    @Test func aLateTouchNeverMovesASubjectBackInTime() {
        var table = SubjectTable<String, Int>()
        table.update("a", activeAt: EventTime(milliseconds: 5000), orInsert: { 0 }, change: { _ in })
        table.update("b", activeAt: EventTime(milliseconds: 6000), orInsert: { 0 }, change: { _ in })
        table.update("a", activeAt: EventTime(milliseconds: 1000), orInsert: { 0 }, change: { $0 = 7 })
        #expect(table.lastActive("a") == EventTime(milliseconds: 5000))
        #expect(table.inActivityOrder.map(\.key) == ["a", "b"])
        #expect(table["a"] == 7)
    }

    /// Expiry reads when the least recently active subject was last active without visiting it: that time must
    /// follow the subject as it is touched, removed, evicted or replaced by another, down to a table of one.
    @Test func expiryFollowsTheLeastRecentlyActiveThroughEveryChange() {
        func at(_ seconds: Int64) -> EventTime { EventTime(milliseconds: seconds * 1000) }
        var table = SubjectTable<String, Int>()
        table.update("solo", activeAt: at(10), orInsert: { 0 }, change: { _ in })
        table.update("solo", activeAt: at(100), orInsert: { 0 }, change: { _ in })
        // A table of one touched at 100 s: nothing was last active before 50 s.
        #expect(table.removeInactive(before: at(50)) == 0)
        #expect(table.count == 1)
        for (user, second) in [("b", 110), ("c", 120), ("d", 130)] {
            table.update(user, activeAt: at(Int64(second)), orInsert: { 0 }, change: { _ in })
        }
        // solo touched again: b is the oldest now, at 110 s.
        table.update("solo", activeAt: at(140), orInsert: { 0 }, change: { _ in })
        #expect(table.removeInactive(before: at(111)) == 1)
        #expect(table.inActivityOrder.map(\.key) == ["c", "d", "solo"])
        // Evicting c leaves d, at 130 s, the oldest.
        #expect(table.removeLeastRecentlyActive(keeping: 2) == 1)
        #expect(table.removeInactive(before: at(130)) == 0)
        #expect(table.removeInactive(before: at(131)) == 1)
        #expect(table.removeInactive(before: at(141)) == 1)
        #expect(table.count == 0)
        #expect(table.removeInactive(before: at(1_000)) == 0)
        table.update("e", activeAt: at(200), orInsert: { 0 }, change: { _ in })
        #expect(table.removeInactive(before: at(200)) == 0)
        #expect(table.removeInactive(before: at(201)) == 1)
    }

    /// An id whose hash is either well spread or one of only `sharedHashes` values, so that many keys share a
    /// hash (and a bucket tag) and only the key comparison tells them apart.
    struct ProbeKey: SubjectKey, Codable {
        var id: Int
        var sharedHashes: Int

        var subjectHash: Int {
            sharedHashes == 0 ? Int(truncatingIfNeeded: SubjectHash.hash("id-\(id)")) : id % sharedHashes
        }

        var owner: String { "user-\(id % 10)" }
    }

    /// Thousands of random operations against a plain dictionary of (value, last active) that expires and
    /// evicts by scanning and sorting: the table must hold the same subjects with the same values. Few keys
    /// exercise the activity list; many keys (past several chunks of 1 024 entries) also the index's
    /// incremental growth, its tombstones and the moves of entries between chunks; keys that share only 7
    /// hashes, the probing past equal tags to the right key.
    @Test(arguments: [
        (keys: 80, steps: 20_000, limit: 60, sharedHashes: 0),
        (keys: 9_000, steps: 120_000, limit: 8_000, sharedHashes: 0),
        (keys: 300, steps: 20_000, limit: 250, sharedHashes: 7),
    ])
    func agreesWithAScanningReferenceUnderRandomOperations(keys: Int, steps: Int, limit: Int, sharedHashes: Int) throws
    {
        var table = SubjectTable<ProbeKey, Int>()
        var reference: [Int: (value: Int, lastActive: Int64, order: Int)] = [:]
        var generator = SeededRandom(seed: 11)
        var clock: Int64 = 0
        var order = 0
        var largest = 0
        for step in 0..<steps {
            clock += Int64(generator.next() % 10)
            switch generator.next() % (keys > 100 ? 400 : 10) {
            case 0:
                let start = clock - Int64(generator.next() % UInt64(keys * 20))
                // Times here never go backwards, so activity order is time order and expiry is exact.
                let expected = reference.filter { $0.value.lastActive < start }.count
                #expect(table.removeInactive(before: EventTime(milliseconds: start)) == expected, "step \(step)")
                reference = reference.filter { $0.value.lastActive >= start }
            case 1:
                let limit = Int(generator.next() % UInt64(limit))
                let excess = max(reference.count - limit, 0)
                let idlest = reference.sorted {
                    ($0.value.lastActive, $0.value.order) < ($1.value.lastActive, $1.value.order)
                }.prefix(excess)
                #expect(table.removeLeastRecentlyActive(keeping: limit) == excess)
                for (key, _) in idlest { reference[key] = nil }
            default:
                let key = Int(generator.next() % UInt64(keys))
                let delta = Int(generator.next() % 5)
                table.update(
                    ProbeKey(id: key, sharedHashes: sharedHashes), activeAt: EventTime(milliseconds: clock),
                    orInsert: { 100 }, change: { $0 += delta })
                order += 1
                let previous = reference[key]
                let moved = previous.map { clock > $0.lastActive } ?? true
                reference[key] = (
                    (previous?.value ?? 100) + delta, max(previous?.lastActive ?? clock, clock),
                    moved ? order : previous!.order
                )
            }
            #expect(table.count == reference.count)
            largest = max(largest, table.count)
        }
        // The large case really spanned several chunks and index growths.
        #expect(keys < 1_000 || largest > 4096, "largest \(largest)")
        let contents = table.inActivityOrder
        #expect(contents.map(\.key.id) == reference.sorted { $0.value.order < $1.value.order }.map(\.key))
        #expect(contents.allSatisfy { reference[$0.key.id]?.value == $0.value })

        // A checkpoint round trip keeps contents and order.
        let restored = try JSONDecoder().decode(SubjectTable<ProbeKey, Int>.self, from: JSONEncoder().encode(table))
        #expect(restored.inActivityOrder.map(\.key) == contents.map(\.key))
        #expect(restored.inActivityOrder.map(\.value) == contents.map(\.value))
        #expect(restored.inActivityOrder.map(\.lastActive) == contents.map(\.lastActive))
    }
}
