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
        let total = volume.window.total
        #expect([total.tokens, Int64(total.calls), volume.newestHour] == [1200, 3, 5])
        #expect([total.judged, total.new] == [0, 0] && [total.judgedTokens, total.newTokens] == [0, 0])
        #expect(volume.window.minutes.map(\.minute) == [300])
        #expect(volume.window.minutes.map(\.figures.tokens) == [1200])
        #expect(volume.hours.count == 24 && volume.hours[5] == 3000)
        #expect(volume.reportedHour == 5 && volume.cachedBaseline == nil && volume.evidence.ids == ["e1", "e2", "e3"])
    }

    /// The sums are written under the names they always had, and read back.
    @Test func theSumsRoundTripUnderTheirNames() throws {
        var volume = UserVolume(OffHoursBurstConfiguration())
        let minute = MinuteVolume(tokens: 5000, calls: 4, judged: 3, new: 1, judgedTokens: 4200, newTokens: 900)
        volume.window.add(minute, at: 300, windowMinutes: 60)
        let data = try JSONEncoder().encode(volume)
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let sums = [
            "windowTokens", "windowCalls", "windowJudged", "windowNew", "windowJudgedTokens", "windowNewTokens",
        ]
        .map { (object[$0] as? NSNumber)?.int64Value }
        #expect(sums == [5000, 4, 3, 1, 4200, 900])
        // A minute is one object, its figures beside it, as it always was.
        let minutes = try #require(object["minutes"] as? [[String: Any]])
        #expect(minutes.count == 1 && (minutes[0]["minute"] as? NSNumber)?.int64Value == 300)
        #expect((minutes[0]["tokens"] as? NSNumber)?.int64Value == 5000 && minutes[0]["figures"] == nil)
        let back = try JSONDecoder().decode(UserVolume.self, from: data)
        #expect(back.window.total == volume.window.total && back.window.minutes.map(\.figures) == [minute])
        #expect(back.hours.count == volume.hours.count && back.newestHour == volume.newestHour)
    }
}
