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
            report.max_teams as 'other'. No user id, agent name or prompt text is written (docs/PRIVACY.md). \
            With --state-dir, reads what a daemon kept instead: the daily spending in its checkpoint (the last \
            100 days) and the incidents in its alert journal, which are not placed on teams.
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

    @Option(help: "A daemon's state directory: report its checkpoint's daily spending and its alert journal.")
    var stateDir: String?

    func validate() throws {
        if stateDir != nil && file != nil { throw ValidationError("give an events file or --state-dir, not both") }
    }

    func run() throws {
        let (configuration, _) = try options.load()
        let report = try stateDir.map { try Self.fromState($0, configuration) } ?? fromEvents(configuration)
        let text =
            switch format {
            case .text: report.text
            case .json: report.json + "\n"
            case .html: report.html
            }
        var out = BufferedOutput(path: output)
        out.writeLine(String(text.dropLast(text.hasSuffix("\n") ? 1 : 0)))
        out.flush()
    }

    private func fromEvents(_ configuration: TokenWatchConfiguration) throws -> LeverageReport {
        let input = try openEvents(file, command: "report")
        var engine = DetectionEngine(configuration: configuration)
        engine.spending.daysKept = .max
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
        }
        builder.add(engine.spending.daily.byTeamDay)
        let report = builder.build(teams: engine.spending)
        printError(
            "reported \(engine.eventsProcessed) events of \(report.teams.count) team labels over "
                + "\(report.days.count) days, rejected \(rejected), alerts \(engine.nextSequence)")
        return report
    }

    /// The checkpoint's daily spending under its teams, and the journal's incidents, not placed on teams.
    private static func fromState(_ directory: String, _ configuration: TokenWatchConfiguration) throws
        -> LeverageReport
    {
        guard case .restored(let engine, let savedAt) = CheckpointStore(directory: directory).load() else {
            printError("tokenwatch report: no readable checkpoint in \(directory)")
            throw ExitCode(1)
        }
        var builder = LeverageReportBuilder(configuration: configuration)
        builder.add(engine.spending.daily.byTeamDay)
        let journal = URL(fileURLWithPath: directory).appendingPathComponent("journal")
        let segments = (try? FileManager.default.contentsOfDirectory(atPath: journal.path)) ?? []
        for name in segments.sorted() where name.hasPrefix("alerts-") && name.hasSuffix(".jsonl") {
            let text = (try? String(contentsOf: journal.appendingPathComponent(name), encoding: .utf8)) ?? ""
            for line in text.split(separator: "\n") {
                guard case .success(let alert)? = JournalEntry.read(line)?.alert,
                    alert.state == AlertState.firing.rawValue, let incident = alert.incident,
                    let detector = DetectorName(rawValue: alert.detector)
                else { continue }
                builder.addUnplaced(detector: detector, incident: incident)
            }
        }
        let report = builder.build(teams: engine.spending)
        printError(
            "reported the checkpoint of \(savedAt): \(report.teams.count) team labels over \(report.days.count) days")
        return report
    }
}
