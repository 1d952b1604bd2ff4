import Foundation
import Logging
import TokenWatchCore

/// Every alert the daemon publishes, in order, so that a consumer that missed some can ask for them again.
///
/// On disk (when there is a state directory) as JSON-lines segment files `alerts-<first seq>.jsonl`, rotated by
/// size and deleted beyond a count; the most recent entries are also kept in memory. Appends are buffered and
/// committed once per batch, fsynced as configured; ``commit()`` says whether they reached the file, and
/// ``AlertDelivery`` sends nothing that has not. At start the segments are read back: the alert `seq` and
/// the per-topic sequences continue where they stopped, and a line torn by a crash is cut off.
/// Lives on the pipeline thread.
final class AlertJournal {
    private let directory: URL?
    private let configuration: JournalConfiguration
    private let logger: Logger
    private var recent: [JournalEntry] = []
    private var recentHead = 0
    private var segment: (descriptor: Int32, bytes: Int, firstSeq: UInt64)?
    private var pending: [UInt8] = []
    /// The seq of the first entry in `pending`: where a segment is reopened after a failure.
    private var pendingFirstSeq: UInt64?
    private var lastSync = ContinuousClock.now
    private var needsSync = false
    /// The next alert sequence number after what the journal holds.
    private(set) var nextSeq: UInt64 = 0
    /// The next per-topic sequence number of each topic.
    private(set) var topicSequences: [String: UInt32] = [:]
    /// Segments that could not be opened and writes that failed (`tokenwatch_journal_errors_total`).
    private(set) var errors: UInt64 = 0
    /// Which journal this is (``JournalEpoch``), in every catch-up reply.
    private(set) var epoch = ""

    init(directory: String?, configuration: JournalConfiguration, logger: Logger) throws {
        self.directory = directory.map {
            URL(fileURLWithPath: $0, isDirectory: true).appendingPathComponent("journal", isDirectory: true)
        }
        self.configuration = configuration
        self.logger = logger
        if let journal = self.directory {
            try FileManager.default.createDirectory(at: journal, withIntermediateDirectories: true)
            try recover(journal)
        }
        epoch = JournalEpoch.current(in: self.directory, journalIsEmpty: nextSeq == 0)
    }

    deinit { close() }

    private static func segmentName(_ firstSeq: UInt64) -> String {
        let digits = String(firstSeq)
        return "alerts-" + String(repeating: "0", count: max(0, 20 - digits.count)) + digits + ".jsonl"
    }

    private func segments(_ journal: URL) throws -> [(url: URL, firstSeq: UInt64)] {
        try FileManager.default.contentsOfDirectory(atPath: journal.path)
            .compactMap { name -> (URL, UInt64)? in
                guard name.hasPrefix("alerts-"), name.hasSuffix(".jsonl"),
                    let seq = UInt64(name.dropFirst("alerts-".count).dropLast(".jsonl".count))
                else { return nil }
                return (journal.appendingPathComponent(name), seq)
            }
            .sorted { $0.1 < $1.1 }
    }

    private func recover(_ journal: URL) throws {
        let files = try segments(journal)
        var entries = 0
        for (index, file) in files.enumerated() {
            let data = try Data(contentsOf: file.url)
            var validLength = 0
            var offset = data.startIndex
            while let newline = data[offset...].firstIndex(of: 10) {
                let line = String(decoding: data[offset..<newline], as: UTF8.self)
                guard let entry = JournalEntry(line: Substring(line)) else { break }
                remember(entry)
                entries += 1
                offset = newline + 1
                validLength = offset - data.startIndex
            }
            if validLength < data.count {
                logger.warning(
                    "journal: cutting a torn or unreadable tail",
                    metadata: [
                        "file": "\(file.url.lastPathComponent)", "bytes": "\(data.count - validLength)",
                    ])
                truncate(file.url.path, off_t(validLength))
            }
            if index == files.count - 1 {
                let descriptor = open(file.url.path, O_WRONLY | O_APPEND | O_CLOEXEC)
                if descriptor >= 0 { segment = (descriptor, validLength, file.firstSeq) }
            }
        }
        if entries > 0 {
            logger.info(
                "journal recovered",
                metadata: ["entries": "\(entries)", "next_seq": "\(nextSeq)", "segments": "\(files.count)"])
        }
    }

    /// Tracks sequences and the in-memory tail.
    private func remember(_ entry: JournalEntry) {
        nextSeq = max(nextSeq, entry.seq + 1)
        topicSequences[entry.topic] = max(topicSequences[entry.topic] ?? 0, entry.topicSequence &+ 1)
        guard configuration.memoryEntries > 0 else { return }
        recent.append(entry)
        if recent.count - recentHead > configuration.memoryEntries { recentHead += 1 }
        if recentHead > 4096 && recentHead * 2 > recent.count {
            recent.removeFirst(recentHead)
            recentHead = 0
        }
    }

    /// The per-topic sequence number the next alert on `topic` gets.
    func nextTopicSequence(_ topic: String) -> UInt32 { topicSequences[topic] ?? 0 }

    /// Records an alert; it reaches the disk at ``commit()``.
    func append(_ entry: JournalEntry) {
        remember(entry)
        guard directory != nil else { return }
        if segment == nil || segment!.bytes >= configuration.maxSegmentBytes { rotate(startingAt: entry.seq) }
        let line = Array((entry.line + "\n").utf8)
        if pending.isEmpty { pendingFirstSeq = entry.seq }
        pending += line
        segment?.bytes += line.count
    }

    /// Writes what was appended since the last commit, and fsyncs as the policy says. Returns whether
    /// everything appended so far is in the file (always, without a state directory): what is not stays
    /// pending, and the next commit tries again, reopening the segment if it could not be opened.
    @discardableResult
    func commit() -> Bool {
        guard directory != nil else { return true }
        if segment == nil, let first = pendingFirstSeq { rotate(startingAt: first) }
        guard let descriptor = segment?.descriptor else { return pending.isEmpty }
        if !pending.isEmpty {
            let written = writeAll(descriptor, pending)
            pending.removeFirst(written)
            needsSync = true
            guard pending.isEmpty else { return false }
            pendingFirstSeq = nil
        }
        sync(descriptor)
        return true
    }

    private func sync(_ descriptor: Int32) {
        guard needsSync else { return }
        switch configuration.fsync {
        case .always:
            fsync(descriptor)
            needsSync = false
        case .interval where ContinuousClock.now - lastSync >= .seconds(1):
            fsync(descriptor)
            needsSync = false
            lastSync = ContinuousClock.now
        case .interval, .never:
            break
        }
    }

    private func rotate(startingAt seq: UInt64) {
        guard let journal = directory else { return }
        if let current = segment {
            pending.removeFirst(writeAll(current.descriptor, pending))
            if pending.isEmpty { pendingFirstSeq = nil }
            fsync(current.descriptor)
            Glibc.close(current.descriptor)
            segment = nil
        }
        // Entries a failed write left pending go first in the new segment, which is named after them.
        let first = pendingFirstSeq ?? seq
        let path = journal.appendingPathComponent(Self.segmentName(first)).path
        let descriptor = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            logger.error("journal: cannot open segment", metadata: ["path": "\(path)", "errno": "\(errno)"])
            errors += 1
            segment = nil
            return
        }
        segment = (descriptor, pending.count, first)
        // Retention: keep the newest `maxSegments`.
        if let files = try? segments(journal), files.count > configuration.maxSegments {
            for file in files.prefix(files.count - configuration.maxSegments) {
                try? FileManager.default.removeItem(at: file.url)
            }
        }
    }

    /// Writes `bytes`; returns how many reached the file (all of them unless a write failed).
    private func writeAll(_ descriptor: Int32, _ bytes: [UInt8]) -> Int {
        bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let written = Glibc.write(descriptor, raw.baseAddress! + offset, raw.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    logger.error("journal: write failed", metadata: ["errno": "\(errno)"])
                    errors += 1
                    return offset
                }
                offset += written
            }
            return offset
        }
    }

    /// Up to `limit` entries with `seq >= since`, oldest first, plus the range still retained.
    func entries(since: UInt64, limit: Int) -> (entries: [JournalEntry], first: UInt64?, last: UInt64?) {
        let last = nextSeq == 0 ? nil : nextSeq - 1
        let inMemory = recent[recentHead...]
        if let oldest = inMemory.first?.seq, since >= oldest || directory == nil {
            let start = inMemory.firstIndex { $0.seq >= since } ?? inMemory.endIndex
            return (Array(inMemory[start...].prefix(limit)), directory == nil ? oldest : firstOnDisk() ?? oldest, last)
        }
        guard let journal = directory, let files = try? segments(journal) else { return ([], nil, last) }
        commit()
        var found: [JournalEntry] = []
        // Start in the last segment that begins at or before `since`.
        let startIndex = files.lastIndex { $0.firstSeq <= since } ?? 0
        for file in files[startIndex...] {
            guard let data = try? Data(contentsOf: file.url) else { continue }
            for line in String(decoding: data, as: UTF8.self).split(separator: "\n") {
                guard let entry = JournalEntry(line: line), entry.seq >= since else { continue }
                found.append(entry)
                if found.count == limit { return (found, files.first?.firstSeq, last) }
            }
        }
        return (found, files.first?.firstSeq, last)
    }

    private func firstOnDisk() -> UInt64? {
        guard let journal = directory else { return nil }
        return (try? segments(journal))?.first?.firstSeq
    }

    func close() {
        if let current = segment {
            commit()
            fsync(current.descriptor)
            Glibc.close(current.descriptor)
            segment = nil
        }
    }
}

@available(*, unavailable)
extension AlertJournal: Sendable {}
