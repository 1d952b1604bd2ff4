import Foundation
import Testing
import TokenWatchSimulation

@testable import TokenWatchCore

/// Spending by team and judgement: what the usage counters and `tokenwatch report` are made from.
@Suite("Team spending")
struct TeamSpendingTests {
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
        let engine = Self.run(mail + docs)
        let daily = engine.spending.daily.byTeamDay
        let day = monday.day
        #expect(Set(daily.keys) == [TeamDay(team: "mail", day: day), TeamDay(team: "docs", day: day)])
        let mailUsage = daily[TeamDay(team: "mail", day: day)]
        // 5 people × 20 calls of 4000 tokens: each person's first unknown, the 19 after it churn.
        #expect(mailUsage?.calls == [0, 95, 5])
        #expect(mailUsage?.tokens == [0, 380_000, 20_000])
        #expect(mailUsage?.churnShare == 1)
        // 5 people × 4 calls of 10 000, 10 400, 9800 and 10 300 tokens, all progress.
        let docsUsage = daily[TeamDay(team: "docs", day: day)]
        #expect(docsUsage?.calls == [20, 0, 0])
        #expect(docsUsage?.tokens == [202_500, 0, 0])
        #expect(docsUsage?.churnShare == 0)
        #expect(engine.spending.label(of: "mail", minTeamSize: 5) == "mail")
        #expect(engine.spending.label(of: "docs", minTeamSize: 5) == "docs")
    }

    /// The counters' labels follow the order of calls: a team's calls count as `small teams` until its fifth
    /// person has called, and under its name from that call on.
    @Test func aTeamIsNamedFromTheCallOfItsFifthPerson() {
        // p1…p4 one call each at minutes 0, 1, 2, 3, then p1 again, then p5, then p2 again; 1000 tokens each.
        let order = ["p1", "p2", "p3", "p4", "p1", "p5", "p2"]
        var engine = DetectionEngine(configuration: TokenWatchConfiguration())
        var alerts: [Alert] = []
        for (minute, user) in order.enumerated() {
            var e = event(user, at: monday.adding(minutes: Int64(minute)), tokens: 1000, prompt: text(700 + minute))
            e.team = "payments"
            engine.process(e, into: &alerts)
        }
        var solo = event("solo", at: monday.adding(minutes: 9), tokens: 50)
        solo.team = "research"
        engine.process(solo, into: &alerts)
        engine.process(event("x1", at: monday.adding(minutes: 10), tokens: 7), into: &alerts)
        let taken = engine.spending.takeByLabel()
        #expect(Set(taken.keys) == ["small teams", "payments"])
        // Five calls before p5's (p1…p4 and p1 again), plus research's and the call without a team.
        #expect(taken["small teams"]?.totalCalls == 7)
        #expect(taken["small teams"]?.totalTokens == 5000 + 50 + 7)
        #expect(taken["payments"]?.totalCalls == 2)
        #expect(taken["payments"]?.totalTokens == 2000)
        #expect(engine.spending.size(of: "payments") == 5)
        #expect(engine.spending.size(of: "research") == 1)
        // Taken once: the next take starts from nothing.
        #expect(engine.spending.takeByLabel().isEmpty)
        // The report, made after the fact, names payments on every day.
        #expect(engine.spending.label(of: "payments", minTeamSize: 5) == "payments")
        #expect(engine.spending.label(of: "", minTeamSize: 5) == "small teams")
        #expect(engine.spending.label(of: "", minTeamSize: 1) == "unassigned")
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
        // Admitted in order of arrival: zeta, alpha; beta came third.
        #expect(Set(engine.spending.takeByLabel().keys) == ["zeta", "alpha", "other"])
        let daily = engine.spending.daily.byTeamDay
        #expect(daily[TeamDay(team: TeamSpending.otherKey, day: monday.day)]?.totalCalls == 1)
        #expect(engine.spending.label(of: TeamSpending.otherKey, minTeamSize: 1) == "other")
        #expect(engine.spending.label(of: "beta", minTeamSize: 1) == "other")
        #expect(engine.spending.size(of: "beta") == nil)
    }

    /// Generated workplaces, in batches on any number of workers: the same spending under the same labels.
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
        let expected = reference.spending.takeByLabel()
        var engine = DetectionEngine(configuration: TokenWatchConfiguration())
        var events = decoded
        var taken: [String: JudgedUsage] = [:]
        events.withUnsafeMutableBufferPointer { all in
            for start in stride(from: 0, to: all.count, by: batch) {
                engine.detect(
                    UnsafeMutableBufferPointer(rebasing: all[start..<min(start + batch, all.count)]),
                    on: InlineShardExecutor(workers: workers), rejected: { _, _ in }, into: &alerts)
                // As the daemon does: taken after every batch, summed by label.
                for (label, usage) in engine.spending.takeByLabel() { taken[label, default: JudgedUsage()].add(usage) }
            }
        }
        #expect(expected.count > 1)
        #expect(taken == expected)
        #expect(engine.spending == reference.spending)
        let calls = expected.values.reduce(0) { $0 + $1.totalCalls }
        #expect(calls == reference.eventsProcessed)
    }

    /// A checkpoint keeps how many people each team was seen with, never who: after a restart a small team
    /// needs as many new people as before, not fewer, and a named team stays named.
    @Test func aCheckpointKeepsTeamSizesButNoPeople() throws {
        let events =
            (1...5).flatMap { Self.personAsking("d\($0)", team: "docs", calls: 1) }
            + (1...3).flatMap { Self.personAsking("s\($0)", team: "sales", calls: 1) }
        let engine = Self.run(events)
        let data = try JSONEncoder().encode(engine)
        let json = try JSONSerialization.jsonObject(with: data) as! [String: Any]
        let saved = (json["spending"] as! [String: Any])["teams"] as! [[String: Any]]
        #expect(saved.map { $0["name"] as! String } == ["docs", "sales"])
        #expect(saved.map { $0["people"] as! Int } == [5, 3])
        #expect(saved.allSatisfy { $0.count == 2 })
        var restored = DetectionEngine(
            restoring: try JSONDecoder().decode(DetectionEngine.self, from: data), configuration: .init())
        #expect(restored.spending == engine.spending)
        #expect(restored.spending.label(of: "docs", minTeamSize: 5) == "docs")
        // Four people call for sales after the restart (s1 among them): still fewer than five known.
        var alerts: [Alert] = []
        for (offset, user) in ["s1", "n1", "n2", "n3"].enumerated() {
            var e = event(user, at: monday.adding(minutes: 120 + Int64(offset)), tokens: 10)
            e.team = "sales"
            restored.process(e, into: &alerts)
        }
        #expect(restored.spending.size(of: "sales") == 4)
        #expect(restored.spending.label(of: "sales", minTeamSize: 5) == "small teams")
    }

    @Test func theDailySpendingKeepsTheLastHundredDaysAndIsCheckpointed() throws {
        var daily = DailyUsage()
        var usage = JudgedUsage()
        usage.add(.churn, tokens: 7)
        let kept = Int64(DailyUsage.defaultDaysKept)
        for day in Int64(0)...kept { daily.add(usage, to: TeamDay(team: "ops", day: day)) }
        #expect(daily.days.count == DailyUsage.defaultDaysKept)
        #expect(daily.days[0] == nil && daily.days[kept]?["ops"] == usage)

        // Two days of docs: Monday's closed when Tuesday began, Tuesday's still open when checkpointed.
        let monday2 = (1...5).flatMap { Self.personAsking("d\($0)", team: "docs", calls: 2, seed: 10 * $0) }
        let tuesday = (1...5).flatMap { n in
            Self.personAsking("d\(n)", team: "docs", calls: 1, seed: 50 + n).map { e in
                var e = e
                e.time = e.time.adding(minutes: 24 * 60)
                return e
            }
        }
        let engine = Self.run(monday2 + tuesday)
        let byDay = engine.spending.daily.byTeamDay
        #expect(byDay[TeamDay(team: "docs", day: monday.day)]?.totalTokens == 5 * (10_000 + 10_400))
        #expect(byDay[TeamDay(team: "docs", day: monday.day + 1)]?.totalTokens == 5 * 10_000)
        let restored = try JSONDecoder().decode(DetectionEngine.self, from: JSONEncoder().encode(engine))
        #expect(restored.spending.daily == engine.spending.daily)
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
