import Foundation
import Testing

@testable import TokenWatchCore

@Suite("Off-hours minutes")
struct MinuteVolumeTests {
    /// A minute written before the counts of progress were kept reads them as none; one written now keeps all
    /// its figures under the checkpoint's names.
    @Test func checkpointsOldAndNewReadBack() throws {
        let old = #"{"minute":29500000,"tokens":1200,"calls":3}"#
        let restored = try JSONDecoder().decode(MinuteVolume.self, from: Data(old.utf8))
        #expect(
            [restored.minute, restored.tokens, Int64(restored.calls)] == [29_500_000, 1200, 3]
                && [restored.judged, restored.new] == [0, 0] && [restored.judgedTokens, restored.newTokens] == [0, 0])

        let minute = MinuteVolume(
            minute: 29_500_001, tokens: 5000, calls: 4, judged: 3, new: 1, judgedTokens: 4200, newTokens: 900)
        let data = try JSONEncoder().encode(minute)
        let keys = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Int64])
        #expect(
            keys == [
                "minute": 29_500_001, "tokens": 5000, "calls": 4, "judged": 3, "new": 1, "judgedTokens": 4200,
                "newTokens": 900,
            ])
        let back = try JSONDecoder().decode(MinuteVolume.self, from: data)
        #expect(
            [back.judged, back.new, back.calls] == [3, 1, 4] && [back.judgedTokens, back.newTokens] == [4200, 900])
    }

    /// A busy person keeps one per minute of the window: the layout is what the memory figures assume.
    @Test func aMinuteTakesFortyEightBytes() {
        #expect(MemoryLayout<MinuteVolume>.stride == 48)
    }
}
