import Foundation
import Testing
import TokenWatchSimulation

@testable import TokenWatchCore

/// Spending by team and judgement: what the usage counters and `tokenwatch report` are made from.
@Suite("Team usage")
struct TeamUsageTests {
    /// Two agents of one person exchanging new text at one input size, every 5 s: the first call unknown
    /// (nothing before it), every later one churn (the shape `AccumulationTests` pins).
    static func mailLoop(_ user: String, team: String?, calls: Int, tokens: Int64 = 4000) -> [TokenEvent] {
        (0..<calls).map { n in
            var e = event(
                user, at: monday.adding(seconds: Int64(n) * 5), tokens: tokens, prompt: text(600 + n), agent: "mailer",
                parent: "responder")
            e.team = team
            return e
        }
    }

    /// A person asking something new every 90 s, sizes wandering (10 000, 10 400, 9800, 10 300, 9900): progress
    /// at a person's pace.
    static func personAsking(_ user: String, team: String?, calls: Int, seed: Int = 0) -> [TokenEvent] {
        let sizes: [Int64] = [10_000, 10_400, 9800, 10_300, 9900]
        return (0..<calls).map { n in
            var e = event(
                user, at: monday.adding(seconds: Int64(n) * 90), tokens: sizes[n % 5], prompt: text(500 + seed + n))
            e.team = team
            return e
        }
    }

    static func run(_ events: [TokenEvent], configuration: TokenWatchConfiguration = .init()) -> DetectionEngine {
        var engine = DetectionEngine(configuration: configuration)
        var alerts: [Alert] = []
        for e in events.sorted(by: { $0.time < $1.time }) { engine.process(e, into: &alerts) }
        return engine
    }

    @Test func callsAndTokensAreCountedByTeamDayAndJudgement() {
        let mail = (1...5).flatMap { Self.mailLoop("m\($0)", team: "mail", calls: 20) }
        let docs = (1...5).flatMap { Self.personAsking("d\($0)", team: "docs", calls: 4, seed: 10 * $0) }
        var engine = Self.run(mail + docs)
        let usage = engine.takeUsage()
        let day = monday.day
        #expect(Set(usage.keys) == [TeamDay(team: "mail", day: day), TeamDay(team: "docs", day: day)])
        let mailUsage = usage[TeamDay(team: "mail", day: day)]
        // 5 people × 20 calls of 4000 tokens: each person's first unknown, the 19 after it churn.
        #expect(mailUsage?.calls == [0, 95, 5])
        #expect(mailUsage?.tokens == [0, 380_000, 20_000])
        #expect(mailUsage?.churnShare == 1)
        // 5 people × 4 calls of 10 000, 10 400, 9800 and 10 300 tokens, all progress.
        let docsUsage = usage[TeamDay(team: "docs", day: day)]
        #expect(docsUsage?.calls == [20, 0, 0])
        #expect(docsUsage?.tokens == [202_500, 0, 0])
        #expect(docsUsage?.churnShare == 0)
        #expect(engine.teamLabel(of: "mail") == "mail")
        #expect(engine.teamLabel(of: "docs") == "docs")
        // Taken once: the next take starts from nothing.
        #expect(engine.takeUsage().isEmpty)
    }

    @Test func teamsWithFewPeopleAndCallsWithoutATeamAreMergedUntilTheyAreBigEnough() {
        let events =
            Self.personAsking("solo", team: "research", calls: 3) + Self.personAsking("x1", team: nil, calls: 1)
            + (1...4).flatMap { Self.personAsking("p\($0)", team: "payments", calls: 1) }
        var engine = Self.run(events)
        #expect(engine.teamLabel(of: "research") == TeamRegistry.smallTeamsLabel)
        #expect(engine.teamLabel(of: "") == TeamRegistry.smallTeamsLabel)
        #expect(engine.teamLabel(of: "payments") == TeamRegistry.smallTeamsLabel)
        // A fifth person: payments is named from now on. Repeated calls of one person do not count twice.
        var alerts: [Alert] = []
        var fifth = Self.personAsking("p5", team: "payments", calls: 1)[0]
        fifth.time = monday.adding(minutes: 30)
        engine.process(fifth, into: &alerts)
        #expect(engine.teamLabel(of: "payments") == "payments")
        #expect(engine.teams.people["research"]?.count == 1)
        _ = engine.takeUsage()
    }

    @Test func teamsBeyondTheLimitAreCountedAsOther() {
        var configuration = TokenWatchConfiguration()
        configuration.report = ReportConfiguration(maxTeams: 2, minTeamSize: 1)
        var events: [TokenEvent] = []
        for (offset, team) in ["zeta", "alpha", "beta"].enumerated() {
            var e = Self.personAsking("u\(offset)", team: team, calls: 1)[0]
            e.time = monday.adding(minutes: Int64(offset))
            events.append(e)
        }
        var engine = Self.run(events, configuration: configuration)
        let usage = engine.takeUsage()
        // Admitted in order of arrival: zeta, alpha; beta came third.
        #expect(Set(usage.keys.map(\.team)) == ["zeta", "alpha", TeamRegistry.otherKey])
        #expect(usage[TeamDay(team: TeamRegistry.otherKey, day: monday.day)]?.totalCalls == 1)
        #expect(engine.teamLabel(of: TeamRegistry.otherKey) == "other")
        #expect(engine.teams.people.count == 2)
    }

    /// Generated workplaces, in batches on any number of workers: the same spending and the same teams.
    @Test(arguments: [(1, 1), (2, 64), (7, 500)])
    func anyWorkersAndBatchesCountTheSame(workers: Int, batch: Int) {
        let decoder = EventDecoder()
        var options = TrafficGenerator.Options(population: .agentic, people: 30, days: 2, seed: 5)
        options.start = monday
        let decoded = TrafficGenerator(options: options).generate().events.map {
            DecodedEvent(decoder.decode($0.payload))
        }
        var reference = DetectionEngine(configuration: TokenWatchConfiguration())
        var alerts: [Alert] = []
        for var e in decoded { _ = reference.admit(&e, into: &alerts) }
        let expected = reference.takeUsage()
        var engine = DetectionEngine(configuration: TokenWatchConfiguration())
        var events = decoded
        events.withUnsafeMutableBufferPointer { all in
            for start in stride(from: 0, to: all.count, by: batch) {
                engine.detect(
                    UnsafeMutableBufferPointer(rebasing: all[start..<min(start + batch, all.count)]),
                    on: InlineShardExecutor(workers: workers), rejected: { _, _ in }, into: &alerts)
            }
        }
        #expect(!expected.isEmpty)
        #expect(engine.takeUsage() == expected)
        #expect(engine.teams == reference.teams)
        let calls = expected.values.reduce(0) { $0 + $1.totalCalls }
        #expect(calls == reference.eventsProcessed)
    }

    @Test func aCheckpointKeepsTheTeamsAndTheirPeople() throws {
        let engine = Self.run((1...5).flatMap { Self.personAsking("d\($0)", team: "docs", calls: 1) })
        let data = try JSONEncoder().encode(engine)
        let restored = DetectionEngine(
            restoring: try JSONDecoder().decode(DetectionEngine.self, from: data), configuration: .init())
        #expect(restored.teams == engine.teams)
        #expect(restored.teamLabel(of: "docs") == "docs")
    }

    @Test func theDailySpendingKeepsTheLastHundredDaysAndIsCheckpointed() throws {
        var daily = DailyUsage()
        var usage = JudgedUsage()
        usage.add(.churn, tokens: 7)
        for day in Int64(0)...Int64(DailyUsage.maxDays) { daily.add(usage, to: TeamDay(team: "ops", day: day)) }
        #expect(daily.days.count == DailyUsage.maxDays)
        #expect(daily.days[0] == nil && daily.days[Int64(DailyUsage.maxDays)]?["ops"] == usage)

        let engine = Self.run((1...5).flatMap { Self.personAsking("d\($0)", team: "docs", calls: 2, seed: 10 * $0) })
        #expect(engine.daily.byTeamDay[TeamDay(team: "docs", day: monday.day)]?.totalTokens == 5 * (10_000 + 10_400))
        let restored = try JSONDecoder().decode(DetectionEngine.self, from: JSONEncoder().encode(engine))
        #expect(restored.daily == engine.daily)
    }

    @Test func theReportSectionIsReadAndAWrongValueNamesItsPlace() throws {
        let configuration = try ConfigurationLoader.load(
            yaml: "report:\n  max_teams: 50\n  min_team_size: 8\n", file: "t.yaml")
        #expect(configuration.report == ReportConfiguration(maxTeams: 50, minTeamSize: 8))
        do {
            _ = try ConfigurationLoader.load(yaml: "report:\n  max_teams: 0\n  min_team_size: 5\n", file: "bad.yaml")
            Issue.record("max_teams 0 was accepted")
        } catch {
            #expect(
                error.issues.map(\.description) == [
                    "bad.yaml:2:14: report.max_teams: must be between 1 and 10000, not 0"
                ])
        }
    }
}
