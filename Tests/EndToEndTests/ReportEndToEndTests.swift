import Foundation
import Testing

/// `tokenwatch report` on a real events file, in each format, run as the real binary.
@Suite("The per-team report of the real binary")
struct ReportEndToEndTests {
    /// Made-up words that share nothing from one `n` to the next (numbers would normalise to one placeholder).
    static func words(_ n: Int) -> String {
        let syllables = ["ka", "lo", "mi", "ne", "ru", "sa", "ti", "vo", "be", "du", "fe", "go"]
        var state = UInt64(n) &* 0x9E37_79B9_7F4A_7C15 &+ 1
        return (0..<12).map { _ in
            (0..<3).map { _ in
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                return syllables[Int(state >> 60) % syllables.count]
            }.joined()
        }.joined(separator: " ")
    }

    static func line(
        _ user: String, team: String, at time: Date, tokens: Int, prompt: String, agent: String? = nil,
        parent: String? = nil
    ) -> String {
        let ts = ISO8601DateFormatter().string(from: time)
        var json = #"{"ts":"\#(ts)","user":"\#(user)","team":"\#(team)","input_tokens":\#(tokens),"output_tokens":0"#
        if let agent { json += #","agent":"\#(agent)""# }
        if let parent { json += #","parent":"\#(parent)""# }
        return json + #","prompt":"\#(prompt)"}"#
    }

    static let monday = ISO8601DateFormatter().date(from: "2026-11-02T09:00:00Z")!
    static let mailUsers = (1...5).map { "mail.person.\($0)@corp.example" }
    static let docsUsers = (1...5).map { "docs.person.\($0)@corp.example" }
    static let loner = "zed.alone@corp.example"
    static let agents = ["inbox-mailer-bot", "inbox-responder-bot"]

    /// Mail: five people whose two agents trigger each other with new text at one input size every 5 s, 30
    /// calls of 4000 tokens each: the first call of each agent unknown (nothing before it), the 28 others churn. Docs: five people asking something new every 90 s, twice on Monday
    /// (10 000 then 10 400 tokens) and twice on Tuesday (9800 then 10 300), all progress. One person alone in
    /// research (500 then 700 tokens): a small team.
    static let events: [String] = {
        var lines: [String] = []
        for (u, user) in mailUsers.enumerated() {
            for n in 0..<30 {
                lines.append(
                    line(
                        user, team: "mail", at: monday.addingTimeInterval(Double(n * 5)), tokens: 4000,
                        prompt: words(1000 * u + n), agent: agents[n % 2], parent: agents[1 - n % 2]))
            }
        }
        for (u, user) in docsUsers.enumerated() {
            for day in 0..<2 {
                for n in 0..<2 {
                    let time = monday.addingTimeInterval(Double(day * 86_400 + 3600 + n * 90))
                    lines.append(
                        line(
                            user, team: "docs", at: time, tokens: [[10_000, 10_400], [9800, 10_300]][day][n],
                            prompt: words(50_000 + 100 * u + 10 * day + n)))
                }
            }
        }
        for n in 0..<2 {
            lines.append(
                line(
                    loner, team: "research", at: monday.addingTimeInterval(Double(7200 + n * 90)),
                    tokens: 500 + 200 * n,
                    prompt: words(90_000 + n)))
        }
        return lines.sorted { $0.prefix(30) < $1.prefix(30) }
    }()

    static let eventsFile: String = {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("tw-report-\(UUID().uuidString).jsonl")
            .path
        try! (events.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }()

    func report(_ format: String, config: String = TokenWatchProcess.shippedConfig) throws -> (
        output: String, errors: [String]
    ) {
        let process = try TokenWatchProcess(["report", "--config", config, "--format", format, Self.eventsFile])
        #expect(try process.waitForExit() == 0)
        return (process.standardOutput, process.standardError)
    }

    @Test func theJSONReportHasEachTeamsFiguresByDayAndJudgement() throws {
        let json = try JSONSerialization.jsonObject(with: Data(report("json").output.utf8)) as! [String: Any]
        #expect(json["days"] as? [String] == ["2026-11-02", "2026-11-03"])
        let teams = json["teams"] as! [[String: Any]]
        #expect(teams.map { $0["team"] as! String } == ["docs", "mail", "small teams"])
        let total = { (team: Int) in teams[team]["total"] as! [String: Any] }
        #expect(total(0)["tokens"] as? [String: Int] == ["progress": 102_000 + 100_500, "churn": 0, "unknown": 0])
        #expect(total(0)["churn_share"] as? Double == 0)
        #expect(total(1)["calls"] as? [String: Int] == ["progress": 0, "churn": 140, "unknown": 10])
        #expect(total(1)["tokens"] as? [String: Int] == ["progress": 0, "churn": 560_000, "unknown": 40_000])
        #expect(total(1)["churn_share"] as? Double == 1)
        #expect(total(2)["calls"] as? [String: Int] == ["progress": 2, "churn": 0, "unknown": 0])
        let docsDays = teams[0]["days"] as! [[String: Any]]
        #expect(docsDays.map { $0["day"] as! String } == ["2026-11-02", "2026-11-03"])
        #expect(docsDays.map { ($0["tokens"] as! [String: Int])["progress"] } == [102_000, 100_500])
    }

    /// The incidents by detector are those `replay` raises for the same file, placed by hand on the team of
    /// each alert's subject.
    @Test func theIncidentsAreReplaysAlertsCountedPerTeam() throws {
        let replay = try TokenWatchProcess(["replay", "--config", TokenWatchProcess.shippedConfig, Self.eventsFile])
        #expect(try replay.waitForExit() == 0)
        var expected: [String: [String: Int]] = [:]
        var incidents: Set<String> = []
        for line in replay.standardOutput.split(separator: "\n") {
            let alert = try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any]
            guard alert["state"] as? String == "firing", incidents.insert(alert["incident"] as! String).inserted
            else { continue }
            let user = (alert["subject"] as! [String: String])["user"]!
            let team = Self.mailUsers.contains(user) ? "mail" : Self.docsUsers.contains(user) ? "docs" : "small teams"
            expected[team, default: [:]][alert["detector"] as! String, default: 0] += 1
        }
        #expect(expected["mail"] != nil, "the mail loops raise incidents")
        let json = try JSONSerialization.jsonObject(with: Data(report("json").output.utf8)) as! [String: Any]
        var reported: [String: [String: Int]] = [:]
        for team in json["teams"] as! [[String: Any]] where !(team["alerts"] as! [String: Int]).isEmpty {
            reported[team["team"] as! String] = team["alerts"] as? [String: Int]
        }
        #expect(reported == expected)
    }

    @Test func theTextReportAlignsItsColumns() throws {
        let lines = try report("text").output.split(separator: "\n").map(String.init)
        let mail = lines.firstIndex(of: "mail")!
        let header = lines[mail + 1]
        let total = lines[mail + 3]
        #expect(
            total.split(separator: " ").prefix(10) == [
                "total", "150", "0", "140", "10", "600000", "0", "560000", "40000", "100.0%",
            ])
        // Right-aligned figures end where their heading ends.
        let sharesEnd = header.range(of: "churn share")!.upperBound.utf16Offset(in: header)
        #expect(total.range(of: "100.0%")!.upperBound.utf16Offset(in: total) == sharesEnd)
    }

    @Test func theHTMLPageIsSelfContainedAndShowsTheFigures() throws {
        let html = try report("html").output
        #expect(html.hasPrefix("<!DOCTYPE html>"))
        for fetched in ["<script", "<link", "src=", "href=", "url(", "@import", "@font-face"] {
            #expect(!html.contains(fetched), "the page must fetch nothing: \(fetched)")
        }
        #expect(html.components(separatedBy: "<svg").count - 1 == 2)
        #expect(html.contains(#"<td data-team="mail" data-day="total" data-field="churn_share">100.0%</td>"#))
        #expect(html.contains(#"<td data-team="docs" data-day="2026-11-03" data-field="tokens_progress">100500</td>"#))
    }

    /// Every output, standard error included, in every format: none of the user ids, agent names or prompt
    /// words fed in appears.
    @Test(arguments: ["text", "json", "html"])
    func noUserAgentOrPromptReachesTheReport(format: String) throws {
        let (output, errors) = try report(format)
        let everything = output + errors.joined(separator: "\n")
        for secret in Self.mailUsers + Self.docsUsers + [Self.loner] + Self.agents + ["corp.example", "research"] {
            #expect(!everything.contains(secret), "\(secret) in the \(format) report")
        }
        for word in Self.words(1000).split(separator: " ") { #expect(!everything.contains(word)) }
    }

    /// The generated agentic workplace with its busywork in one team (`generate --busywork-team`, what
    /// `make report-demo` shows): that team's churn share stands above every other team's.
    @Test func theTeamRunningTheBusyworkHasTheHighestChurnShare() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tw-busy-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let events = directory.appendingPathComponent("events.jsonl").path
        let generate = try TokenWatchProcess([
            "generate", "--population", "agentic", "--people", "40", "--days", "4", "--seed", "3",
            "--busywork-team", "team-2", "--output", events,
        ])
        #expect(try generate.waitForExit(timeout: .seconds(300)) == 0)
        let report = try TokenWatchProcess([
            "report", "--config", TokenWatchProcess.shippedConfig, "--format", "json", events,
        ])
        #expect(try report.waitForExit(timeout: .seconds(300)) == 0)
        let json = try JSONSerialization.jsonObject(with: Data(report.standardOutput.utf8)) as! [String: Any]
        var shares: [String: Double] = [:]
        for team in json["teams"] as! [[String: Any]] {
            let total = team["total"] as! [String: Any]
            shares[team["team"] as! String] = total["churn_share"] as? Double
        }
        #expect(Set(shares.keys) == ["team-1", "team-2", "team-3", "team-4"])
        let busy = try #require(shares["team-2"])
        for (team, share) in shares where team != "team-2" {
            #expect(busy >= 2 * share, "team-2 \(busy) against \(team) \(share)")
        }
    }
}
