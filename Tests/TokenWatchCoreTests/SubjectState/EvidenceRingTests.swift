import Foundation
import Testing

@testable import TokenWatchCore

@Suite("Evidence ring")
struct EvidenceRingTests {
    @Test func keepsTheFiveNewestIdsOldestFirst() {
        var ring = EvidenceRing()
        ring.record(nil)
        #expect(ring.ids.isEmpty)
        for n in 1...3 { ring.record("e\(n)") }
        #expect(ring.ids == ["e1", "e2", "e3"])
        // 12 ids through a ring of 5: e8 … e12, whatever slot the oldest sits in.
        for n in 4...12 {
            ring.record("e\(n)")
            #expect(ring.ids == (max(1, n - 4)...n).map { "e\($0)" }, "after e\(n)")
        }
    }

    @Test func isWrittenInTheCheckpointFormatOfAPlainList() throws {
        var ring = EvidenceRing()
        for n in 1...7 { ring.record("e\(n)") }
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let json = String(decoding: try encoder.encode(ring), as: UTF8.self)
        #expect(json == #"{"ids":["e3","e4","e5","e6","e7"]}"#)
        var restored = try JSONDecoder().decode(EvidenceRing.self, from: Data(json.utf8))
        #expect(restored.ids == ["e3", "e4", "e5", "e6", "e7"])
        restored.record("e8")
        #expect(restored.ids == ["e4", "e5", "e6", "e7", "e8"])
    }
}
