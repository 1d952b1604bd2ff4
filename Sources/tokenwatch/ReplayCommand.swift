import ArgumentParser
import Foundation
import TokenWatchCore
import TokenWatchRuntime

struct ReplayCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Run the detectors over events in a file (JSON lines) and print each alert as one JSON line.",
        discussion: """
            Gives the same alerts as `run` fed the same events: detection uses event time only. A bad line is \
            reported on standard error with its line number and skipped.
            """)

    @OptionGroup var options: ConfigurationOptions

    @Argument(help: "Events file, one JSON object per line; standard input when omitted or '-'.")
    var file: String?

    @Option(
        help: ArgumentHelp(
            "Threads that detect (0: one per core, less one for reading); the alerts are the same with any number.",
            discussion: "Defaults to the configuration's state.detection_threads."))
    var threads: Int?

    func validate() throws {
        if let threads, !(0...VirtualShard.count).contains(threads) {
            throw ValidationError("--threads must be between 0 and \(VirtualShard.count), not \(threads)")
        }
    }

    func run() throws {
        let (configuration, _) = try options.load()
        let input = try openEvents(file, command: "replay")

        var engine = DetectionEngine(configuration: configuration)
        let workers = DetectionWorkers(workers: threads ?? configuration.state.detectionThreads)
        var alerts: [Alert] = []
        var output = BufferedOutput()
        var rejected = RejectionCounts()
        // Lines are read and decoded on a second thread; detection sees them here, in file order, a batch at a
        // time, read where they lie (see `DecodedEvent`).
        FileDecodeStage.forEachBatch(of: input, limits: configuration.events.limits) { batch in
            batch.events.withUnsafeMutableBufferPointer { events in
                engine.detect(
                    events, on: workers,
                    rejected: { position, rejection in
                        rejected.record(rejection)
                        printError("line \(batch.numbers[position]): \(rejection)")
                    }, into: &alerts)
            }
            for alert in alerts { output.writeLine(alert.jsonPayload) }
            alerts.removeAll(keepingCapacity: true)
        }
        output.flush()
        printError(
            "replayed \(engine.eventsProcessed) events, rejected \(rejected.total), alerts \(engine.nextSequence)")
        if rejected.total > 0 { printError("rejected by reason: \(rejected)") }
    }
}

/// Collects output lines and writes them in large blocks, to standard output or a file.
struct BufferedOutput {
    private var buffer: [UInt8] = []
    private let handle: FileHandle

    /// Writes to `path` (created or truncated), or standard output when `nil`.
    init(path: String? = nil) {
        if let path, FileManager.default.createFile(atPath: path, contents: nil),
            let file = FileHandle(forWritingAtPath: path)
        {
            handle = file
        } else {
            if let path { printError("tokenwatch: cannot write \(path); writing to standard output") }
            handle = FileHandle.standardOutput
        }
    }

    mutating func writeLine(_ line: String) {
        buffer.append(contentsOf: line.utf8)
        buffer.append(10)
        if buffer.count > 1 << 16 { flush() }
    }

    mutating func flush() {
        guard !buffer.isEmpty else { return }
        handle.write(Data(buffer))
        buffer.removeAll(keepingCapacity: true)
    }
}
