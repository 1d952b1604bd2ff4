import Foundation
import Synchronization
import TokenWatchRuntime

/// Deliveries given up, kept for a person to read and, if wanted, to send again by hand: one JSON file per
/// dead letter in `dead-letters/` of the state directory, named so that they sort oldest first
/// (`<milliseconds since 1970>-<counter>-<receiver>-<alert id>.json`), holding
///
///     {"receiver": "webhook-0", "id": "<alert id>", "reason": "refused", "detail": "HTTP 410",
///      "dead_lettered_at": "<RFC 3339>", "body": <what was sent>}
///
/// with `reason` one of `refused` (a 4xx), `expired` (still failing after `max_retry_age`; `detail` is the
/// last failure) and `overflow` (pushed out of a full queue). The folder keeps the newest `limit` files, so a
/// receiver that refuses everything cannot fill the disk; the log line of each dead letter names the alert.
package final class DeadLetters: Sendable {
    package let directory: URL
    let limit: Int
    /// Orders letters written in the same millisecond; the lock also keeps two receivers from pruning at once.
    private let counter = Mutex<UInt64>(0)

    package init(directory: URL, limit: Int) throws {
        self.directory = directory
        self.limit = limit
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    /// Keeps one dead letter and drops the oldest beyond the limit; the file, or `nil` when it could not be
    /// written (the log line still names the alert).
    @discardableResult
    package func keep(receiver: String, id: String, reason: String, detail: String, body: [UInt8]) -> URL? {
        let now = Date()
        var envelope: [String: Any] = [
            "receiver": receiver, "id": id, "reason": reason, "detail": detail,
            "dead_lettered_at": AlertmanagerClock.text(now),
        ]
        envelope["body"] =
            (try? JSONSerialization.jsonObject(with: Data(body))) ?? String(decoding: body, as: UTF8.self)
        guard let data = try? JSONSerialization.data(withJSONObject: envelope, options: [.sortedKeys]) else {
            return nil
        }
        return counter.withLock { counter in
            counter += 1
            let name =
                Self.padded(UInt64(now.timeIntervalSince1970 * 1000), 15) + "-" + Self.padded(counter, 10)
                + "-" + Self.safe(receiver) + "-" + Self.safe(id) + ".json"
            let file = directory.appendingPathComponent(name)
            guard limit > 0, (try? DurableFile.replace(file, with: data)) != nil else { return nil }
            let all = files()
            for old in all.prefix(max(0, all.count - limit)) { try? FileManager.default.removeItem(at: old) }
            return file
        }
    }

    /// The dead letters kept, oldest first.
    package func files() -> [URL] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.filter { $0.hasSuffix(".json") && !$0.hasPrefix(".") }.sorted()
            .map { directory.appendingPathComponent($0) }
    }

    private static func padded(_ number: UInt64, _ width: Int) -> String {
        let digits = String(number)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }

    /// Alert ids and receiver names as file-name parts: anything but letters, digits, `.`, `_` and `-` as `_`.
    private static func safe(_ text: String) -> String {
        String(
            text.prefix(100).map { character in
                character.isASCII && (character.isLetter || character.isNumber || "._-".contains(character))
                    ? character : "_"
            })
    }
}
