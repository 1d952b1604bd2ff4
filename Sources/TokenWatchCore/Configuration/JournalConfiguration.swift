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

extension JournalConfiguration: DeclaredSettings {
    static var declaredKeys: [SettingKey<Self>] {
        [
            .choice("fsync", \.fsync),
            .integer("max_segment_bytes", \.maxSegmentBytes, 4096...(1 << 34)),
            .integer("max_segments", \.maxSegments, 1...100_000),
            .integer("memory_entries", \.memoryEntries, 0...10_000_000),
        ]
    }
}
