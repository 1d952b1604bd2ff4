import Foundation
import Testing

@testable import TokenWatchCore

/// Building and writing the per-team report, from hand-made usage and alerts.
@Suite("Leverage report")
struct LeverageReportTests {
    /// The teams as detection would know them after seeing `people` people call in each.
    func registry(_ people: [String: Int]) -> TeamSpending {
        var spending = TeamSpending()
        for (team, count) in people.sorted(by: { $0.key < $1.key }) {
            let id = spending.admit(team, hash: SubjectHash.hash(team), maxTeams: 200)
            for person in 0..<count {
                spending.record(
                    team: id, user: UInt64(person), day: monday.day, tokens: 0, judgement: .unknown,
                    settings: ReportConfiguration())
            }
        }
        return spending
    }

    /// One call of each judgement with tokens (none of unknown when it has none).
    func usage(progress: Int64, churn: Int64, unknown: Int64 = 0) -> JudgedUsage {
        var usage = JudgedUsage()
        usage.add(.progress, tokens: progress)
        usage.add(.churn, tokens: churn)
        if unknown > 0 { usage.add(.unknown, tokens: unknown) }
        return usage
    }

    func alert(user: String, detector: DetectorName, incident: String, at time: EventTime) -> Alert {
        Alert(
            id: incident + "-a", incident: incident, seq: 0, detector: detector, severity: .warning, state: .firing,
            subject: AlertSubject(user: user, agent: nil), time: time, windowStart: time, windowEnd: time,
            observed: [], threshold: [], summary: "", evidence: [], suppressed: 0)
    }

    @Test func smallTeamsAreMergedAndIncidentsCountedOncePerTeamAndDay() {
        var builder = LeverageReportBuilder(configuration: TokenWatchConfiguration())
        builder.observe(TokenEvent(time: monday, user: "ann", inputTokens: 1, outputTokens: 0, team: "core"))
        builder.observe(TokenEvent(time: monday, user: "bob", inputTokens: 1, outputTokens: 0, team: "tiny"))
        let tuesday = monday.day + 1
        builder.add([
            TeamDay(team: "core", day: monday.day): usage(progress: 300, churn: 100),
            TeamDay(team: "core", day: tuesday): usage(progress: 100, churn: 100, unknown: 50),
            TeamDay(team: "tiny", day: monday.day): usage(progress: 10, churn: 0),
            TeamDay(team: "", day: monday.day): usage(progress: 0, churn: 20),
        ])
        let firing = alert(user: "ann", detector: .agentLoop, incident: "i1", at: monday)
        builder.add(firing)
        builder.add(firing)  // a repeat of the same incident
        var resolved = firing
        resolved.state = .resolved
        builder.add(resolved)
        builder.add(alert(user: "bob", detector: .contextPadding, incident: "i2", at: monday))
        let report = builder.build(teams: registry(["core": 5, "tiny": 1, "": 2]))
        #expect(report.teams == ["core", "small teams"])
        #expect(report.days == [monday.day, tuesday])
        #expect(report.total(of: "core").tokens == [400, 200, 50])
        // 200 churn of 600 judged tokens; the 50 unknown are left out.
        #expect(report.total(of: "core").churnShare == 200.0 / 600.0)
        // tiny and the calls without a team, together.
        #expect(report.total(of: "small teams").tokens == [10, 20, 0])
        #expect(report.alerts(of: "core") == [.agentLoop: 1])
        #expect(report.alerts(of: "small teams") == [.contextPadding: 1])
        #expect(LeverageReport.percent(report.total(of: "core").churnShare) == "33.3%")
        for text in [report.text, report.json, report.html] {
            #expect(!text.contains("ann") && !text.contains("bob") && !text.contains("tiny"))
        }
    }

    @Test func aTeamNameIsEscapedInThePage() {
        var builder = LeverageReportBuilder(configuration: TokenWatchConfiguration())
        let team = "<img src=x onerror=alert(1)>"
        builder.add([TeamDay(team: team, day: monday.day): usage(progress: 1, churn: 1)])
        let html = builder.build(teams: registry([team: 5])).html
        #expect(!html.contains("<img"))
        #expect(html.contains("&lt;img src=x onerror=alert(1)&gt;"))
    }

    @Test func nothingJudgedHasNoShare() {
        var builder = LeverageReportBuilder(configuration: TokenWatchConfiguration())
        builder.add([TeamDay(team: "ops", day: monday.day): usage(progress: 0, churn: 0, unknown: 9)])
        let report = builder.build(teams: registry(["ops": 5]))
        #expect(report.total(of: "ops").churnShare == nil)
        #expect(report.json.contains(#""churn_share":null"#))
        #expect(report.text.contains(" -  -"))
    }
}
