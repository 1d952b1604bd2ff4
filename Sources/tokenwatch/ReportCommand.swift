import ArgumentParser
import Foundation
import TokenWatchCore
import TokenWatchRuntime

struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Summarise an events file per team and day: tokens and calls by progress judgement, churn share, "
            + "incidents by detector.",
        discussion: """
            Runs the same detection as `replay` (the same alerts) and reports teams only, never people: teams \
            seen with fewer than report.min_team_size people are shown as 'small teams', teams beyond \
            report.max_teams as 'other'. No user id, agent name or prompt text is written (docs/PRIVACY.md).
            """)

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case text, json, html
    }

    @OptionGroup var options: ConfigurationOptions

    @Argument(help: "Events file, one JSON object per line; standard input when omitted or '-'.")
    var file: String?

    @Option(help: "text (aligned columns), json, or html (one self-contained page with charts).")
    var format: Format = .text

    @Option(name: .shortAndLong, help: "Write the report to this file instead of standard output.")
    var output: String?

    func run() throws {
        let (configuration, _) = try options.load()
        let input: FileHandle
        if let file, file != "-" {
            guard let handle = FileHandle(forReadingAtPath: file) else {
                printError("tokenwatch report: cannot open \(file)")
                throw ExitCode(1)
            }
            input = handle
        } else {
            input = FileHandle.standardInput
        }
        var engine = DetectionEngine(configuration: configuration)
        var builder = LeverageReportBuilder(configuration: configuration)
        let workers = DetectionWorkers(workers: configuration.state.detectionThreads)
        var alerts: [Alert] = []
        var rejected = 0
        FileDecodeStage.forEachBatch(of: input, limits: configuration.events.limits) { batch in
            for decoded in batch.events where decoded.rejection == nil { builder.observe(decoded.event) }
            batch.events.withUnsafeMutableBufferPointer { events in
                engine.detect(events, on: workers, rejected: { _, _ in rejected += 1 }, into: &alerts)
            }
            for alert in alerts { builder.add(alert) }
            alerts.removeAll(keepingCapacity: true)
            builder.add(engine.takeUsage())
        }
        let report = builder.build(teams: engine.teams)
        let text =
            switch format {
            case .text: report.text
            case .json: report.json + "\n"
            case .html: report.html
            }
        var out = BufferedOutput(path: output)
        out.writeLine(String(text.dropLast(text.hasSuffix("\n") ? 1 : 0)))
        out.flush()
        printError(
            "reported \(engine.eventsProcessed) events of \(report.teams.count) team labels over "
                + "\(report.days.count) days, rejected \(rejected), alerts \(engine.nextSequence)")
    }
}
