/// The alert journal: every published alert, kept for catch-up.
public struct JournalConfiguration: Sendable, Equatable {
    public enum FsyncPolicy: String, Sendable, CaseIterable {
        /// After every batch that published alerts (group commit): nothing acknowledged is lost.
        case always
        /// At most once a second: a crash loses at most the last second.
        case interval
        /// Left to the kernel.
        case never
    }

    public var fsync = FsyncPolicy.interval
    /// A segment file is closed and a new one started past this size. Default 16 MiB.
    public var maxSegmentBytes = 16 << 20
    /// Segments kept; the oldest is deleted beyond this. Default 16.
    public var maxSegments = 16
    /// The most recent alerts also kept in memory, to answer catch-up without reading files. Default 10000.
    public var memoryEntries = 10_000

    public init() {}
}

extension JournalConfiguration: SectionSettings {
    static let keys = ["fsync", "max_segment_bytes", "max_segments", "memory_entries"]

    mutating func read(_ section: inout ConfigurationSection) {
        if let text = section.string("fsync") {
            if let policy = FsyncPolicy(rawValue: text) {
                fsync = policy
            } else {
                section.report("fsync", "must be always, interval or never, not '\(text)'")
            }
        }
        maxSegmentBytes = section.integer("max_segment_bytes", 4096...(1 << 34)) ?? maxSegmentBytes
        maxSegments = section.integer("max_segments", 1...100_000) ?? maxSegments
        memoryEntries = section.integer("memory_entries", 0...10_000_000) ?? memoryEntries
    }

    var yamlLines: [String] {
        [
            "fsync: \(fsync.rawValue)",
            "max_segment_bytes: \(maxSegmentBytes)",
            "max_segments: \(maxSegments)",
            "memory_entries: \(memoryEntries)",
        ]
    }
}
