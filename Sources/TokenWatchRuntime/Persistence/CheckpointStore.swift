import Foundation
import Logging
import Synchronization
import TokenWatchCore

/// Saves and restores the detectors' state (windows, baselines, open incidents, the alert sequence) in a
/// state directory, so that an incident that straddles a restart still fires.
///
/// Writes are atomic: a temporary file is written and fsynced, renamed over the checkpoint, and the directory
/// is fsynced, so a crash leaves either the old or the new checkpoint, never half of one. A checkpoint that
/// cannot be read is moved aside (never deleted) and the daemon starts fresh. Checkpoints hold ids, counts
/// and prompt fingerprints; never prompt text.
public final class CheckpointStore: Sendable {
    /// Bumped whenever the coded state changes shape; versions not in ``readableVersions`` are set aside, not
    /// misread. 3: the detectors' state by shard; 2 (one table per detector) is still read, and split.
    public static let formatVersion = 3
    public static let readableVersions = 2...3

    public let directory: URL
    public var file: URL { directory.appendingPathComponent("checkpoint.json") }
    private let writeLock = Mutex(())

    public init(directory: String) {
        self.directory = URL(fileURLWithPath: directory, isDirectory: true)
    }

    public enum LoadResult: Sendable {
        case none
        case restored(DetectionEngine, savedAt: String)
        /// The checkpoint was unreadable or of another version and was moved to `movedTo`.
        case setAside(reason: String, movedTo: String)
    }

    private struct Envelope: Codable {
        var version: Int
        var savedAt: String
        var engine: DetectionEngine
    }

    private struct Header: Codable {
        var version: Int
    }

    /// Reads the checkpoint, if any.
    public func load() -> LoadResult {
        guard let data = FileManager.default.contents(atPath: file.path) else { return .none }
        let decoder = JSONDecoder()
        do {
            let header = try decoder.decode(Header.self, from: data)
            guard Self.readableVersions.contains(header.version) else {
                return setAside(
                    reason: "checkpoint format \(header.version), this build reads \(Self.readableVersions)")
            }
            let envelope = try decoder.decode(Envelope.self, from: data)
            return .restored(envelope.engine, savedAt: envelope.savedAt)
        } catch {
            return setAside(reason: "unreadable checkpoint: \(error)")
        }
    }

    private func setAside(reason: String) -> LoadResult {
        let stamp = Int(Date().timeIntervalSince1970)
        let target = directory.appendingPathComponent("checkpoint.json.corrupt-\(stamp)")
        do {
            try FileManager.default.moveItem(at: file, to: target)
            return .setAside(reason: reason, movedTo: target.path)
        } catch {
            return .setAside(reason: "\(reason); could not move it aside (\(error)), ignoring it", movedTo: file.path)
        }
    }

    /// Writes `engine` atomically (``DurableFile``). Concurrent calls are serialised.
    public func write(_ engine: DetectionEngine) throws {
        let envelope = Envelope(version: Self.formatVersion, savedAt: Date().formatted(.iso8601), engine: engine)
        let data = try JSONEncoder().encode(envelope)
        try writeLock.withLock { _ in
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            try DurableFile.replace(file, with: data)
        }
    }
}
