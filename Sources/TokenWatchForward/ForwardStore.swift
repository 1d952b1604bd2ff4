import Foundation
import TokenWatchCore
import TokenWatchRuntime

/// The forwarder's files in its state directory, each replaced through ``DurableFile``, so that a crash or a
/// power cut leaves the old version or the new one, never half of one, and the writes reach the disk in order:
///
/// - `cursor.json`: the newest alert `seq` handled, the journal epoch it counts in, and the ids of the last
///   ``recentLimit`` alerts;
/// - `dead-letters/`: the deliveries given up (``DeadLetters``);
/// - `alertmanager/<receiver>.json`: the incidents each Alertmanager still has to hear about;
/// - `webhooks/<receiver>/<seq>-<id>.json`: each webhook's queue, one file per delivery.
package struct ForwardStore: Sendable {
    package let directory: URL

    package init(directory: String) throws {
        self.directory = URL(fileURLWithPath: directory, isDirectory: true)
        try FileManager.default.createDirectory(at: self.directory, withIntermediateDirectories: true)
    }

    package struct Cursor: Codable, Sendable, Equatable {
        /// The newest seq handled; `nil` before the first alert.
        package var seq: UInt64?
        /// The daemon journal's epoch that `seq` counts in (``AlertSource``); `nil` before the first alert, or
        /// from a daemon that does not name its epoch.
        package var epoch: String?
        /// Alerts handled so far: orders each webhook's queue, whatever the daemon's seq does (a daemon
        /// whose journal was reset counts from 0 again).
        package var handledCount: UInt64 = 0
        /// Recently handled alert ids, oldest first: an alert seen again (from a replica, or a daemon whose
        /// journal was reset) is recognised by its id.
        package var recentIDs: [String] = []

        package init() {}

        package mutating func handled(_ alert: ForwardedAlert) {
            seq = alert.seq
            if let from = alert.epoch { epoch = from }
            handledCount += 1
            recentIDs.append(alert.id)
            if recentIDs.count > ForwardStore.recentLimit {
                recentIDs.removeFirst(recentIDs.count - ForwardStore.recentLimit)
            }
        }
    }

    package static let recentLimit = 10_000

    package func loadCursor() -> Cursor {
        (try? Data(contentsOf: directory.appendingPathComponent("cursor.json")))
            .flatMap { try? JSONDecoder().decode(Cursor.self, from: $0) } ?? Cursor()
    }

    package func save(_ cursor: Cursor) throws {
        try DurableFile.replace(directory.appendingPathComponent("cursor.json"), with: try JSONEncoder().encode(cursor))
    }

    /// Where dead letters are kept.
    package var deadLetterDirectory: URL { directory.appendingPathComponent("dead-letters", isDirectory: true) }

    /// A directory for one receiver, named by a hash of its URL (URLs hold characters paths should not).
    package func receiverDirectory(_ kind: String, url: String) throws -> URL {
        let name = String(FNV1a.hash(url), radix: 16)
        let path = directory.appendingPathComponent(kind).appendingPathComponent(name)
        try FileManager.default.createDirectory(at: path, withIntermediateDirectories: true)
        return path
    }
}
