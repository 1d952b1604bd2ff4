import Foundation
import Testing

@testable import TokenWatchCore

@Suite("Off-hours minutes")
struct MinuteVolumeTests {
    /// A minute written before the counts of progress were kept reads them as none; one written now keeps all
    /// its figures under the checkpoint's names.
    @Test func checkpointsOldAndNewReadBack() throws {
        let old = #"{"minute":29500000,"tokens":1200,"calls":3}"#
        let restored = try JSONDecoder().decode(MinuteWindow<MinuteVolume>.Minute.self, from: Data(old.utf8))
        let figures = restored.figures
        #expect(
            [restored.minute, figures.tokens, Int64(figures.calls)] == [29_500_000, 1200, 3]
                && [figures.judged, figures.new] == [0, 0] && [figures.judgedTokens, figures.newTokens] == [0, 0])

        let minute = MinuteWindow<MinuteVolume>.Minute(
            minute: 29_500_001,
            figures: MinuteVolume(tokens: 5000, calls: 4, judged: 3, new: 1, judgedTokens: 4200, newTokens: 900))
        let data = try JSONEncoder().encode(minute)
        let keys = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Int64])
        #expect(
            keys == [
                "minute": 29_500_001, "tokens": 5000, "calls": 4, "judged": 3, "new": 1, "judgedTokens": 4200,
                "newTokens": 900,
            ])
        let back = try JSONDecoder().decode(MinuteWindow<MinuteVolume>.Minute.self, from: data)
        #expect(back.minute == 29_500_001 && back.figures == minute.figures)
    }

    /// A busy person keeps one per minute of the window: the layout is what the memory figures assume.
    @Test func aMinuteTakesFortyEightBytes() {
        #expect(MemoryLayout<MinuteWindow<MinuteVolume>.Minute>.stride == 48)
    }
}
