import Foundation
import Testing

@testable import TokenWatchCore

@Suite("Configuration")
struct ConfigurationLoaderTests {
    @Test func anEmptyFileGivesTheDefaults() throws {
        #expect(try ConfigurationLoader.load(yaml: "", file: "empty.yaml") == TokenWatchConfiguration())
    }

    @Test func readsEveryKindOfValue() throws {
        let yaml = """
            alerts:
              cooldown: 1h30m
              critical_factor: 2.5
            detectors:
              offhours_burst:
                work_hours: {start: "08:30", end: "17:00"}
                work_days: [mon, tue, wed, thu]
                timezone: Europe/Berlin
              agent_loop:
                enabled: false
                window: 90s
            """
        let configuration = try ConfigurationLoader.load(yaml: yaml, file: "custom.yaml")
        #expect(configuration.alerts.cooldown == .seconds(5400))
        #expect(configuration.alerts.criticalFactor == 2.5)
        #expect(
            configuration.detectors.offHoursBurst.workStartMinute == 510
                && configuration.detectors.offHoursBurst.workEndMinute == 1020)
        #expect(configuration.detectors.offHoursBurst.workDays == [0, 1, 2, 3])
        #expect(configuration.detectors.offHoursBurst.timeZone == "Europe/Berlin")
        #expect(
            configuration.detectors.agentLoop.enabled == false
                && configuration.detectors.agentLoop.window == .seconds(90))
        #expect(configuration.detectors.repetitivePrompts == RepetitivePromptsConfiguration())
    }

    @Test func reportsEveryProblemWithItsLineColumnAndKey() {
        let yaml = """
            events:
              endpoint: http://example
            alerts:
              cooldown: soon
              colour: red
            detectors:
              repetitive_prompts:
                min_repeats: 1
              offhours_burst:
                timezone: Mars/Olympus
                work_days: [mon, caturday]
            """
        do {
            _ = try ConfigurationLoader.load(yaml: yaml, file: "bad.yaml")
            Issue.record("a broken configuration was accepted")
        } catch {
            let lines = error.issues.map(\.description)
            #expect(
                lines == [
                    "bad.yaml:2:13: events.endpoint: must be a ZeroMQ endpoint such as tcp://127.0.0.1:7700, not 'http://example'",
                    "bad.yaml:5:3: alerts.colour: unknown key (expected one of: endpoint, send_high_water_mark, cooldown, resolve_after, critical_factor)",
                    "bad.yaml:4:13: alerts.cooldown: must be a positive duration such as 90s, 15m or 1h, not 'soon'",
                    "bad.yaml:8:18: detectors.repetitive_prompts.min_repeats: must be between 2 and 100000, not 1",
                    "bad.yaml:11:22: detectors.offhours_burst.work_days: unknown day 'caturday' (expected mon, tue, wed, thu, fri, sat or sun)",
                    "bad.yaml:10:15: detectors.offhours_burst.timezone: unknown IANA time zone 'Mars/Olympus'",
                ])
        }
    }

    @Test func yamlSyntaxErrorsNameTheirPlace() {
        do {
            _ = try ConfigurationLoader.load(yaml: "alerts:\n  cooldown: [1h\n", file: "broken.yaml")
            Issue.record("a broken configuration was accepted")
        } catch {
            #expect(error.issues.count == 1)
            #expect(error.issues[0].line == 3)
            #expect(error.description.hasPrefix("broken.yaml:3:"))
        }
    }

    @Test(arguments: [
        ("90s", 90_000 as Int64), ("15m", 900_000), ("1h", 3_600_000), ("1h30m", 5_400_000), ("500ms", 500),
        ("2d", 172_800_000),
    ])
    func parsesDurations(text: String, milliseconds: Int64) {
        #expect(DurationText.parse(text)?.milliseconds == milliseconds)
        #expect(DurationText.parse(DurationText.format(.milliseconds(milliseconds)))?.milliseconds == milliseconds)
    }

    @Test(arguments: ["", "h", "10", "1x", "-5m", "1.5h"])
    func rejectsMalformedDurations(text: String) {
        #expect(DurationText.parse(text) == nil)
    }
}
