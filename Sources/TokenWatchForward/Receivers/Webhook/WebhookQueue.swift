import Foundation
import TokenWatchRuntime

/// One webhook's deliveries on disk, oldest first: `incoming/` holds what was written for alerts not yet
/// recorded in the cursor, the directory itself what may be sent. An alert is moved in only once the cursor
/// says it was handled, so a crash between the two neither loses it nor sends it twice (``recover(handled:)``).
package struct WebhookQueue: Sendable {
    package let directory: URL
    private var incoming: URL { directory.appendingPathComponent("incoming", isDirectory: true) }

    package init(directory: URL) throws {
        self.directory = directory
        try FileManager.default.createDirectory(
            at: directory.appendingPathComponent("incoming", isDirectory: true), withIntermediateDirectories: true)
    }

    static func name(_ order: UInt64, _ alert: ForwardedAlert) -> String {
        let digits = String(order)
        return String(repeating: "0", count: max(0, 20 - digits.count)) + digits + "-" + alert.id + ".json"
    }

    /// Writes the alert's payload to `incoming/`.
    package func stage(_ alert: ForwardedAlert, order: UInt64) throws {
        try DurableFile.replace(
            incoming.appendingPathComponent(Self.name(order, alert)), with: Data(alert.payload.utf8))
    }

    /// Moves a staged alert into the queue.
    package func commit(_ alert: ForwardedAlert, order: UInt64) throws {
        let name = Self.name(order, alert)
        try DurableFile.move(incoming.appendingPathComponent(name), to: directory.appendingPathComponent(name))
    }

    /// After a restart: staged alerts the cursor records as handled are queued, the others dropped (they
    /// come again from the catch-up socket).
    package func recover(handled: Set<String>) {
        for file in Self.files(in: incoming) {
            let id = Self.alertID(of: file)
            if handled.contains(id) {
                try? DurableFile.move(file, to: directory.appendingPathComponent(file.lastPathComponent))
            } else {
                try? FileManager.default.removeItem(at: file)
            }
        }
    }

    /// The queued deliveries, oldest first.
    package func pending() -> [URL] { Self.files(in: directory) }

    package func remove(_ file: URL) { try? FileManager.default.removeItem(at: file) }

    /// When a delivery was queued.
    package func queuedAt(_ file: URL) -> Date {
        ((try? FileManager.default.attributesOfItem(atPath: file.path))?[.modificationDate] as? Date) ?? Date()
    }

    static func alertID(of file: URL) -> String {
        let name = file.deletingPathExtension().lastPathComponent
        return name.split(separator: "-", maxSplits: 1).last.map(String.init) ?? name
    }

    private static func files(in directory: URL) -> [URL] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.filter { $0.hasSuffix(".json") && !$0.hasPrefix(".") }.sorted()
            .map { directory.appendingPathComponent($0) }
    }
}
