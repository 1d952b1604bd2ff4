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

    func run() throws {
        let (configuration, _) = try options.load()
        let input: FileHandle
        if let file, file != "-" {
            guard let handle = FileHandle(forReadingAtPath: file) else {
                printError("tokenwatch replay: cannot open \(file)")
                throw ExitCode(1)
            }
            input = handle
        } else {
            input = FileHandle.standardInput
        }

        let decoder = EventDecoder(limits: configuration.events.limits)
        var engine = DetectionEngine(configuration: configuration)
        var alerts: [Alert] = []
        var output = BufferedOutput()
        var lineNumber = 0
        var rejected = 0
        LineReader(input).forEachLine { line in
            lineNumber += 1
            if line.allSatisfy({ $0 == 32 || $0 == 9 || $0 == 13 }) { return }
            switch decoder.decode(line) {
            case .success(let event) where engine.isTooOld(event):
                rejected += 1
                printError("line \(lineNumber): \(EventRejection(.tooOld, field: "ts"))")
            case .success(let event):
                engine.process(event, into: &alerts)
                for alert in alerts { output.writeLine(alert.jsonPayload) }
                alerts.removeAll(keepingCapacity: true)
            case .failure(let rejection):
                rejected += 1
                printError("line \(lineNumber): \(rejection)")
            }
        }
        output.flush()
        printError("replayed \(engine.eventsProcessed) events, rejected \(rejected), alerts \(engine.nextSequence)")
    }
}

/// Splits a file into lines, reading in large chunks. Each line is lent to the caller in place, found with
/// `memchr`: no array per line, no byte-by-byte search in Swift (a million-line replay spent 4% there).
struct LineReader {
    private let handle: FileHandle

    init(_ handle: FileHandle) { self.handle = handle }

    /// Calls `body` with each line, without its newline; a last line without one is passed too.
    func forEachLine(_ body: (UnsafeRawBufferPointer) -> Void) {
        var buffer: [UInt8] = []
        var atEnd = false
        while !atEnd {
            let chunk = handle.readData(ofLength: 1 << 20)
            if chunk.isEmpty { atEnd = true } else { buffer.append(contentsOf: chunk) }
            let consumed = buffer.withUnsafeBytes { bytes -> Int in
                guard let base = bytes.baseAddress else { return 0 }
                var start = 0
                while start < bytes.count, let newline = memchr(base + start, 10, bytes.count - start) {
                    let end = base.distance(to: UnsafeRawPointer(newline))
                    body(UnsafeRawBufferPointer(rebasing: bytes[start..<end]))
                    start = end + 1
                }
                if atEnd && start < bytes.count {
                    body(UnsafeRawBufferPointer(rebasing: bytes[start...]))
                    start = bytes.count
                }
                return start
            }
            buffer.removeFirst(consumed)
        }
    }
}

/// Collects output lines and writes them in large blocks, to standard output or a file.
struct BufferedOutput {
    private var buffer: [UInt8] = []
    private let handle: FileHandle

    /// Writes to `path` (created or truncated), or standard output when `nil`.
    init(path: String? = nil) {
        if let path, FileManager.default.createFile(atPath: path, contents: nil), let file = FileHandle(forWritingAtPath: path) {
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
