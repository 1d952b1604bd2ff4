import Foundation
import Testing
import ZeroMQ

/// `tokenwatch_tokens_total` and `tokenwatch_calls_total` on the real daemon's /metrics.
@Suite("Usage counters by team", .serialized)
struct TeamCountersEndToEndTests {
    /// A call with a team; its own session so that it is a one-shot of its person.
    func call(_ user: String, team: String, minute: Int, tokens: Int) -> String {
        #"{"ts":"\#(mondayAt(minutes: minute))","user":"\#(user)","team":"\#(team)","id":"\#(user)-\#(minute)","input_tokens":\#(tokens),"output_tokens":0,"prompt":"question \#(user) \#(minute)"}"#
    }

    /// Sums the samples of `family` with `team`, over every judgement.
    func total(_ samples: [String: Double], _ family: String, team: String) -> Double {
        samples.filter { $0.key.hasPrefix("\(family){") && $0.key.contains("team=\"\(team)\"") }.values.reduce(0, +)
    }

    @Test func teamsAreNamedBoundedAndSmallOnesMerged() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let config = try writeConfig(
            directory, replacing: [("max_teams: 200", "max_teams: 2"), ("min_team_size: 5", "min_team_size: 2")])
        let daemon = try DaemonUnderTest.start(configPath: config)
        let context = try ZMQContext()
        let publisher = try TestPublisher(context: context, connect: daemon.events)
        var samples: [String: Double] = [:]
        func sendAndWait(_ events: [String], processed: Double) throws {
            for e in events { try publisher.publish(e) }
            try waitUntil("\(Int(processed)) events processed", timeout: .seconds(20)) {
                samples = try parsePrometheus(httpGet(daemon.metrics, "/metrics").body)
                return samples["tokenwatch_events_processed_total"] == processed
            }
        }
        // Three people of payments (100 tokens each), then one of search (1000), then two of infra (10 each):
        // the limit of two teams is reached by payments and search, so infra counts as other. A team is named
        // from the call of its second person on: pay1's call and search's only one count as small teams.
        // The labels follow the order of calls only, so the batches the daemon happens to form change nothing.
        try sendAndWait((1...3).map { call("pay\($0)", team: "payments", minute: $0, tokens: 100) }, processed: 3)
        try sendAndWait([call("sea1", team: "search", minute: 5, tokens: 1000)], processed: 4)
        try sendAndWait((1...2).map { call("inf\($0)", team: "infra", minute: 6 + $0, tokens: 10) }, processed: 6)
        samples = try parsePrometheus(httpGet(daemon.metrics, "/metrics").body)
        #expect(total(samples, "tokenwatch_calls_total", team: "payments") == 2)
        #expect(total(samples, "tokenwatch_tokens_total", team: "payments") == 200)
        #expect(total(samples, "tokenwatch_calls_total", team: "small teams") == 2)
        #expect(total(samples, "tokenwatch_tokens_total", team: "small teams") == 1100)
        #expect(total(samples, "tokenwatch_calls_total", team: "other") == 2)
        #expect(total(samples, "tokenwatch_tokens_total", team: "other") == 20)
        let families = samples.keys.filter {
            $0.hasPrefix("tokenwatch_calls_total{") || $0.hasPrefix("tokenwatch_tokens_total{")
        }
        #expect(families.allSatisfy { !$0.contains("infra") && !$0.contains("search") && !$0.contains("pay1") })
        // Every judgement of a named team is exported, zero included, and no other.
        let judgements = ["progress", "churn", "unknown"]
        for judgement in judgements {
            #expect(families.contains { $0.contains("team=\"payments\"") && $0.contains("judgement=\"\(judgement)\"") })
        }
        #expect(families.allSatisfy { key in judgements.contains { key.contains("judgement=\"\($0)\"") } })
        daemon.process.signal(SIGTERM)
        #expect(try daemon.process.waitForExit() == 0)
    }
}

/// The daily spending the daemon keeps in its state directory, and `report --state-dir` reading it.
@Suite("Daily spending in the state directory", .serialized)
struct DailySpendingEndToEndTests {
    @Test func theDaysSpendingSurvivesARestartAndIsReported() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let state = directory.appendingPathComponent("state")
        let config = try writeConfig(directory, replacing: [("min_team_size: 5", "min_team_size: 2")])
        let counters = TeamCountersEndToEndTests()
        // Monday: two people of payments, 100 and 200 tokens. After a restart, Tuesday: one more call of 400.
        let first = try DaemonUnderTest.start(configPath: config, extraArguments: ["--state-dir", state.path])
        var publisher = try TestPublisher(context: try ZMQContext(), connect: first.events)
        try publisher.publish(counters.call("pay1", team: "payments", minute: 1, tokens: 100))
        try publisher.publish(counters.call("pay2", team: "payments", minute: 2, tokens: 200))
        try waitUntil("2 events processed", timeout: .seconds(20)) {
            try parsePrometheus(httpGet(first.metrics, "/metrics").body)["tokenwatch_events_processed_total"] == 2
        }
        first.process.signal(SIGTERM)
        #expect(try first.process.waitForExit() == 0)
        let second = try DaemonUnderTest.start(configPath: config, extraArguments: ["--state-dir", state.path])
        publisher = try TestPublisher(context: try ZMQContext(), connect: second.events)
        let tuesday = counters.call("pay1", team: "payments", minute: 1, tokens: 400)
            .replacingOccurrences(of: "2026-11-02", with: "2026-11-03").replacingOccurrences(
                of: "pay1-1", with: "pay1-t")
        try publisher.publish(tuesday)
        try waitUntil("1 event processed", timeout: .seconds(20)) {
            try parsePrometheus(httpGet(second.metrics, "/metrics").body)["tokenwatch_events_processed_total"] == 1
        }
        second.process.signal(SIGTERM)
        #expect(try second.process.waitForExit() == 0)

        let report = try TokenWatchProcess([
            "report", "--config", config, "--format", "json", "--state-dir", state.path,
        ])
        #expect(try report.waitForExit() == 0)
        let json = try JSONSerialization.jsonObject(with: Data(report.standardOutput.utf8)) as! [String: Any]
        #expect(json["days"] as? [String] == ["2026-11-02", "2026-11-03"])
        let teams = json["teams"] as! [[String: Any]]
        #expect(teams.map { $0["team"] as! String } == ["payments"])
        let days = teams[0]["days"] as! [[String: Any]]
        let tokens = days.map { ($0["tokens"] as! [String: Int]).values.reduce(0, +) }
        #expect(tokens == [300, 400])
        #expect(!report.standardOutput.contains("pay1") && !report.standardOutput.contains("pay2"))
        // The checkpoint stays small: the aggregates are a few figures per team and day.
        let size =
            try FileManager.default.attributesOfItem(atPath: state.appendingPathComponent("checkpoint.json").path)[
                .size] as! Int
        #expect(size < 200_000)
    }
}
