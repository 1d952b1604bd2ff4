import Foundation
import Testing
import TokenWatchCore
import TokenWatchSimulation

/// The traffic generator: deterministic for a seed, teams of ten, and a busywork team that churns.
@Suite("Traffic generator")
struct TrafficGeneratorTests {
    static func options(people: Int = 30, days: Int = 3, seed: UInt64 = 9, busyTeam: String? = nil)
        -> TrafficGenerator.Options
    {
        var options = TrafficGenerator.Options(population: .agentic, people: people, days: days, seed: seed)
        options.busyworkTeam = busyTeam
        return options
    }

    /// The team of each generated user, from the events' own fields.
    static func teams(of events: [TrafficGenerator.GeneratedEvent]) throws -> [String: String] {
        var teams: [String: String] = [:]
        for event in events {
            let object = try #require(
                try JSONSerialization.jsonObject(with: Data(event.payload.utf8)) as? [String: Any])
            if let user = object["user"] as? String, let team = object["team"] as? String { teams[user] = team }
        }
        return teams
    }

    @Test func theSameSeedGivesTheSameTrafficAndAnotherSeedOther() {
        let first = TrafficGenerator(options: Self.options()).generate()
        let again = TrafficGenerator(options: Self.options()).generate()
        let other = TrafficGenerator(options: Self.options(seed: 10)).generate()
        #expect(first.events.map(\.payload) == again.events.map(\.payload))
        #expect(first.labels == again.labels)
        #expect(first.events.map(\.payload) != other.events.map(\.payload))
        #expect(zip(first.events, first.events.dropFirst()).allSatisfy { $0.time <= $1.time })
    }

    @Test func peopleComeInTeamsOfTen() throws {
        #expect(TrafficGenerator.teams(people: 25) == ["team-1", "team-2", "team-3"])
        let teams = try Self.teams(of: TrafficGenerator(options: Self.options()).generate().events)
        #expect(teams["u001"] == "team-1" && teams["u010"] == "team-1" && teams["u011"] == "team-2")
        #expect(teams["u030"] == "team-3")
    }

    /// Each of team-2's ten people runs one incident a day from the second day; nobody else runs any.
    @Test func aBusyworkTeamRunsAllTheBusyworkEveryDay() throws {
        let generated = TrafficGenerator(options: Self.options(busyTeam: "team-2")).generate()
        let teams = try Self.teams(of: generated.events)
        #expect(Set(generated.labels.map { teams[$0.user] }) == ["team-2"])
        #expect(generated.labels.count == 10 * 2)
        // The second local day begins at least 10 h after the first UTC midnight (UTC+14 at the most).
        let secondDay = EventTime(milliseconds: TrafficGenerator.Options().start.milliseconds + 10 * 3_600_000)
        #expect(generated.labels.allSatisfy { $0.start >= secondDay })
        #expect(Set(generated.labels.map(\.user)).count == 10)
        #expect(generated.controlUsers.allSatisfy { teams[$0] != "team-2" })
        #expect(Set(generated.labels.map(\.detector)).count >= 4)
    }
}
