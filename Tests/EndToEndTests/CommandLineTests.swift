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
        let path = try temporaryFile("bad.yaml", "alerts:\n  cooldown: 10x\ndetectors:\n  agent_loop:\n    max_cycle_length: 1\n    colour: blue\n")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let check = try TokenWatchProcess(["check-config", path])
        #expect(try check.waitForExit() == 1)
        let errors = check.standardError
        #expect(errors.contains("\(path):2:13: alerts.cooldown: must be a positive duration such as 90s, 15m or 1h, not '10x'"))
        #expect(errors.contains("\(path):5:23: detectors.agent_loop.max_cycle_length: must be between 2 and 16, not 1"))
        #expect(errors.contains { $0.hasPrefix("\(path):6:5: detectors.agent_loop.colour: unknown key") })

        // `run` refuses the same file before binding anything.
        let run = try TokenWatchProcess(["run", "--config", path, "--events", "tcp://127.0.0.1:1", "--alerts", "tcp://127.0.0.1:2"])
        #expect(try run.waitForExit() == 1)
        #expect(run.standardError.contains { $0.contains("\(path):2:13") })
    }

    @Test func replayReportsBadLinesWithTheirNumbersAndGoesOn() throws {
        var lines: [String] = []
        for n in 0..<8 {
            lines.append(tokenEvent("erin", minute: n, id: "r\(n)", prompt: "Draft the same memo again"))
            if n == 3 { lines.append("{broken") }
            if n == 6 { lines.append(#"{"ts":"2026-11-02T00:00:00Z","user":"erin"}"#) }
        }
        let path = try temporaryFile("events.jsonl", lines.joined(separator: "\n") + "\n")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let replay = try TokenWatchProcess(["replay", "--config", TokenWatchProcess.shippedConfig, path])
        #expect(try replay.waitForExit() == 0)
        #expect(replay.standardError.contains("line 5: malformed_json"))
        #expect(replay.standardError.contains("line 9: missing_field (field input_tokens)"))
        let alerts = replay.standardOutput.split(separator: "\n")
        #expect(alerts.count == 1)
        #expect(alerts.first?.contains(#""subject":{"user":"erin"}"#) == true)
    }

    @Test func generateIsDeterministicForASeedAndWritesLabels() throws {
        let first = try TokenWatchProcess(["generate", "--people", "10", "--days", "1", "--seed", "3", "--count", "500"])
        let second = try TokenWatchProcess(["generate", "--people", "10", "--days", "1", "--seed", "3", "--count", "500"])
        #expect(try first.waitForExit() == 0)
        #expect(try second.waitForExit() == 0)
        #expect(first.standardOutput.split(separator: "\n").count == 500)
        #expect(first.standardOutput == second.standardOutput)
    }
}
