import ArgumentParser
import Foundation
import TokenWatchCore
import TokenWatchRuntime
import TokenWatchSimulation

struct EvaluateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluate",
        abstract: "Score the detectors on generated, labelled workplaces: precision, recall and delay per detector.",
        discussion: """
            For each seed, generates a workplace with injected busywork (as `generate --labels` does), replays it \
            through the detectors with the given configuration, and matches alerts to the labels; then replays \
            the same workplace without injections, where every alert is a false alarm. Prints a Markdown report.
            """)

    @OptionGroup var options: ConfigurationOptions

    @Option(help: "Simulated people per workplace.")
    var people: Int = 200

    @Option(help: "Simulated days per workplace.")
    var days: Int = 14

    @Option(help: "Seeds, comma-separated: one workplace each.")
    var seeds: String = "1,2,3"

    @Option(help: "office (staff chatting, team pipelines) or agentic (plus coding agents, crews and their busywork).")
    var population: TrafficGenerator.Population = .office

    func run() throws {
        let (configuration, source) = try options.load()
        var evaluationOptions = DetectionEvaluation.Options()
        evaluationOptions.people = people
        evaluationOptions.days = days
        evaluationOptions.population = population
        evaluationOptions.seeds = seeds.split(separator: ",").compactMap {
            UInt64($0.trimmingCharacters(in: .whitespaces))
        }
        guard !evaluationOptions.seeds.isEmpty else { throw ValidationError("--seeds needs at least one number") }
        let started = ContinuousClock.now
        let result = DetectionEvaluation(configuration: configuration, options: evaluationOptions).run()
        print(Self.report(result, options: evaluationOptions, source: source, elapsed: ContinuousClock.now - started))
        let failing =
            result.scores.values.contains { $0.recall < 0.95 || $0.precision < 0.95 }
            || result.controlAlerts > 0 || result.legitimateRunAlerts > 0
        if failing {
            printError("tokenwatch evaluate: below target (recall and precision ≥ 0.95, no alert on controls)")
        }
    }

    static func report(
        _ r: DetectionEvaluation.Result, options: DetectionEvaluation.Options, source: String?, elapsed: Duration
    ) -> String {
        func percent(_ value: Double) -> String { String(format: "%.0f%%", value * 100) }
        func delay(_ seconds: Int64?) -> String {
            guard let seconds else { return "–" }
            return "\(seconds / 60) min \(seconds % 60) s"
        }
        var lines = [
            "Configuration: \(source ?? "built-in defaults"); \(options.population.rawValue) population; \(options.seeds.count) workplaces (seeds \(options.seeds.map(String.init).joined(separator: ", "))) of \(options.people) people × \(options.days) days.",
            "",
            "| detector | injected | found | recall | alerts matching an injection | on other busywork | false alarms | precision | median delay | 90th pct delay |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for detector in DetectorName.allCases {
            let s = r.scores[detector]!
            let sorted = s.delaysSeconds.sorted()
            let p90 = sorted.isEmpty ? nil : sorted[min(sorted.count - 1, sorted.count * 9 / 10)]
            lines.append(
                "| `\(detector.rawValue)` | \(s.injected) | \(s.found) | \(String(format: "%.3f", s.recall)) | \(s.truePositives) | \(s.onOtherBusywork) | \(s.falsePositives) | \(String(format: "%.3f", s.precision)) | \(delay(s.medianDelaySeconds)) | \(delay(p90)) |"
            )
        }
        lines += [
            "",
            "Control people (no busywork injected): \(r.controlPeople) across the workplaces, with \(r.controlAlerts) alerts. "
                + "The same workplaces generated without any injection: \(r.legitimateRunAlerts) alerts.",
            "",
            "Honest traffic: \(r.profile.events) events (\(r.profile.agentEvents) by agents), \(r.profile.timeZones) time zones; "
                + "per person, the share of their own calls outside 09:00–18:00 on weekdays (local time) ranges from "
                + "\(percent(r.profile.lowestOffHoursShare)) to \(percent(r.profile.highestOffHoursShare)), median \(percent(r.profile.medianOffHoursShare)).",
        ]
        if r.rejected.total > 0 {
            lines.append("")
            lines.append("Generated events refused by the admission rule: \(r.rejected).")
        }
        if !r.missed.isEmpty {
            lines.append("")
            lines.append(
                "Missed: "
                    + r.missed.prefix(20).map { "\($0.detector.rawValue)/\($0.kind) \($0.user) at \($0.start.rfc3339)" }
                    .joined(separator: "; "))
        }
        if !r.falseAlarms.isEmpty {
            lines.append("")
            lines.append(
                "False alarms: "
                    + r.falseAlarms.prefix(20).map { "\($0.detector.rawValue) \($0.user ?? "-") at \($0.time.rfc3339)" }
                    .joined(separator: "; "))
        }
        lines.append("")
        lines.append("(evaluated in \(elapsed))")
        return lines.joined(separator: "\n")
    }
}
