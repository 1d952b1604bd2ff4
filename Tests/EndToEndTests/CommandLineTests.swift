import Foundation
import Testing

@Suite("Command-line behaviour of the real binary")
struct CommandLineTests {
    func temporaryFile(_ name: String, _ contents: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("tw-\(UUID().uuidString)-\(name)").path
        try contents.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func checkConfigAcceptsTheShippedFile() throws {
        let check = try TokenWatchProcess(["check-config", TokenWatchProcess.shippedConfig])
        #expect(try check.waitForExit() == 0)
    }

    @Test func aBrokenConfigIsRejectedWithFileLineAndKey() throws {
        let path = try temporaryFile(
            "bad.yaml",
            "alerts:\n  cooldown: 10x\ndetectors:\n  agent_loop:\n    max_cycle_length: 1\n    colour: blue\n")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let check = try TokenWatchProcess(["check-config", path])
        #expect(try check.waitForExit() == 1)
        let errors = check.standardError
        #expect(
            errors.contains(
                "\(path):2:13: alerts.cooldown: must be a positive duration such as 90s, 15m or 1h, not '10x'"))
        #expect(errors.contains("\(path):5:23: detectors.agent_loop.max_cycle_length: must be between 2 and 16, not 1"))
        #expect(errors.contains { $0.hasPrefix("\(path):6:5: detectors.agent_loop.colour: unknown key") })

        // `run` refuses the same file before binding anything.
        let run = try TokenWatchProcess([
            "run", "--config", path, "--events", "tcp://127.0.0.1:1", "--alerts", "tcp://127.0.0.1:2",
        ])
        #expect(try run.waitForExit() == 1)
        #expect(run.standardError.contains { $0.contains("\(path):2:13") })
    }

    @Test func replayReportsBadLinesWithTheirNumbersAndGoesOn() throws {
        var lines: [String] = []
        for n in 0..<8 {
            lines.append(tokenEvent("erin", minute: n, id: "r\(n)", prompt: "Draft the same memo again"))
            if n == 3 { lines.append("{broken") }
            if n == 6 { lines.append(#"{"ts":"2026-11-02T00:00:00Z","user":"erin"}"#) }
            if n == 7 {
                lines.append(#"{"ts":"2026-10-30T00:00:00Z","user":"erin","input_tokens":1,"output_tokens":1}"#)
            }
        }
        let path = try temporaryFile("events.jsonl", lines.joined(separator: "\n") + "\n")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let replay = try TokenWatchProcess(["replay", "--config", TokenWatchProcess.shippedConfig, path])
        #expect(try replay.waitForExit() == 0)
        #expect(replay.standardError.contains("line 5: malformed_json"))
        #expect(replay.standardError.contains("line 9: missing_field (field input_tokens)"))
        #expect(replay.standardError.contains("line 11: too_old (field ts)"))
        let alerts = replay.standardOutput.split(separator: "\n")
        #expect(alerts.count == 1)
        #expect(alerts.first?.contains(#""subject":{"user":"erin"}"#) == true)
    }

    @Test func replayReadsLinesAcrossReadsAndLongerThanOneRead() throws {
        // 30 000 lines (about 2.3 MB plus one line of 1.5 MB): the reader's 1 MiB reads end inside lines, and one
        // line is longer than a read. Line 15 001 is that long one (refused as too large), 20 000 is blank,
        // 25 000 is broken JSON, and the last line has no newline: 29 997 events, 2 rejected, numbered as an
        // editor numbers them.
        let event = #"{"ts":"2026-11-02T09:00:00Z","user":"u1","input_tokens":1,"output_tokens":1}"#
        var lines = [String](repeating: event, count: 30_000)
        lines[15_000] =
            #"{"ts":"2026-11-02T09:00:00Z","user":"u1","input_tokens":1,"output_tokens":1,"tool":""#
            + String(repeating: "a", count: 1_500_000) + #""}"#
        lines[19_999] = ""
        lines[24_999] = "{"
        let path = try temporaryFile("long.jsonl", lines.joined(separator: "\n"))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let replay = try TokenWatchProcess(["replay", "--config", TokenWatchProcess.shippedConfig, path])
        #expect(try replay.waitForExit(timeout: .seconds(60)) == 0)
        #expect(
            replay.standardError.filter { $0.hasPrefix("line ") } == [
                "line 15001: too_large", "line 25000: malformed_json",
            ])
        #expect(replay.standardError.contains { $0.hasPrefix("replayed 29997 events, rejected 2,") })
    }

    @Test func generateIsDeterministicForASeedAndWritesLabels() throws {
        let first = try TokenWatchProcess([
            "generate", "--people", "10", "--days", "1", "--seed", "3", "--count", "500",
        ])
        let second = try TokenWatchProcess([
            "generate", "--people", "10", "--days", "1", "--seed", "3", "--count", "500",
        ])
        #expect(try first.waitForExit() == 0)
        #expect(try second.waitForExit() == 0)
        #expect(first.standardOutput.split(separator: "\n").count == 500)
        #expect(first.standardOutput == second.standardOutput)
    }

    @Test func theShippedThresholdTestsPass() throws {
        let files = try FileManager.default.contentsOfDirectory(
            atPath: TokenWatchProcess.packageRoot.appendingPathComponent("Config/tests").path
        )
        .filter { $0.hasSuffix(".yaml") }.sorted().map {
            TokenWatchProcess.packageRoot.appendingPathComponent("Config/tests/\($0)").path
        }
        #expect(files.count >= 3)
        let run = try TokenWatchProcess(["test"] + files)
        #expect(try run.waitForExit(timeout: .seconds(60)) == 0, "\(run.standardOutput)")
        #expect(run.standardOutput.hasSuffix(" passed, 0 failed\n"))
    }

    @Test func aFailingThresholdTestSaysWhatWasExpectedAndWhatFired() throws {
        let path = try temporaryFile(
            "failing.yaml",
            """
            tests:
              - name: wrong expectation
                events:
                  - {ts: "2026-11-02T10:00:00Z", user: zed, session: "s{n}", prompt: "one and the same prompt text", input_tokens: 10, output_tokens: 1, repeat: 8, every: 1m}
                expect:
                  - {detector: agent_loop, user: zed}
                expect_none:
                  - {detector: repetitive_prompts}
            """)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let run = try TokenWatchProcess(["test", path])
        #expect(try run.waitForExit() == 1)
        let output = run.standardOutput
        #expect(output.contains("  FAIL  wrong expectation"))
        #expect(
            output.contains(
                "expected agent_loop user=zed, none fired. Alerts: repetitive_prompts firing warning user=zed at 2026-11-02T10:07:00.000Z"
            ))
        #expect(
            output.contains(
                "expected no repetitive_prompts, got: repetitive_prompts firing warning user=zed at 2026-11-02T10:07:00.000Z"
            ))
        #expect(output.hasSuffix("0 passed, 1 failed\n"))

        let broken = try temporaryFile(
            "broken.yaml",
            "tests:\n  - name: x\n    expect: [{detector: nope}]\n    events: [{ts: \"2026-11-02T10:00:00Z\", user: a, input_tokens: 1, output_tokens: 1}]\n"
        )
        defer { try? FileManager.default.removeItem(atPath: broken) }
        let bad = try TokenWatchProcess(["test", broken])
        #expect(try bad.waitForExit() == 1)
        #expect(bad.standardError.contains { $0.hasPrefix("\(broken):3:") && $0.contains("unknown detector 'nope'") })
    }
}
