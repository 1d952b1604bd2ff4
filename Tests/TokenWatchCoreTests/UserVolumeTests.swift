import Foundation
import Testing

@testable import TokenWatchCore

@Suite("Off-hours volume per person")
struct UserVolumeTests {
    /// A person's volume written before the window's sums of progress were kept reads them as none, and keeps
    /// every other figure.
    @Test func anOldCheckpointReadsTheSumsOfProgressAsNone() throws {
        let hours = (0..<24).map { $0 == 5 ? "3000" : "0" }.joined(separator: ",")
        let old = """
            {"minutes":[{"minute":300,"tokens":1200,"calls":3}],"windowTokens":1200,"windowCalls":3,\
            "hours":[\(hours)],"newestHour":5,"reportedHour":5,"evidence":{"ids":["e1","e2","e3"]}}
            """
        let volume = try JSONDecoder().decode(UserVolume.self, from: Data(old.utf8))
        #expect([volume.windowTokens, volume.windowCalls, volume.newestHour] == [1200, 3, 5])
        #expect(
            [volume.windowJudged, volume.windowNew, volume.windowJudgedTokens, volume.windowNewTokens] == [0, 0, 0, 0])
        #expect(volume.minutes.map(\.tokens) == [1200] && volume.hours.count == 24 && volume.hours[5] == 3000)
        #expect(volume.reportedHour == 5 && volume.cachedBaseline == nil && volume.evidence.ids == ["e1", "e2", "e3"])
    }

    /// The sums are written under the names they always had, and read back.
    @Test func theSumsRoundTripUnderTheirNames() throws {
        var volume = UserVolume(OffHoursBurstConfiguration())
        volume.windowJudged = 3
        volume.windowNew = 1
        volume.windowJudgedTokens = 4200
        volume.windowNewTokens = 900
        let data = try JSONEncoder().encode(volume)
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let sums = ["windowJudged", "windowNew", "windowJudgedTokens", "windowNewTokens"].map {
            (object[$0] as? NSNumber)?.int64Value
        }
        #expect(sums == [3, 1, 4200, 900])
        let back = try JSONDecoder().decode(UserVolume.self, from: data)
        #expect(
            [back.windowJudged, back.windowNew, back.windowJudgedTokens, back.windowNewTokens] == [3, 1, 4200, 900])
        #expect(back.hours.count == volume.hours.count && back.newestHour == volume.newestHour)
    }
}
