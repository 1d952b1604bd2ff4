import Foundation
import Testing

/// Real published coding sessions (`../shared/realdata/`, beside the project: see its README), replayed by the
/// real binary with the shipped configuration. They are honest work that no generator of ours wrote: no alert
/// may fire on any of them.
@Suite("Real sessions")
struct RealSessionsEndToEndTests {
    static let folder = TokenWatchProcess.packageRoot.deletingLastPathComponent()
        .appendingPathComponent("shared/realdata")

    static var files: [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return names.filter { $0.hasSuffix(".jsonl") }.sorted()
    }

    /// The folder must be there (CI lays it beside the clone): a missing folder is a failure, not a pass.
    @Test func theRealSessionsAreThere() {
        #expect(Self.files.count >= 3, "no real sessions in \(Self.folder.path)")
    }

    @Test(arguments: files)
    func noAlertFiresOnARealSession(file: String) throws {
        let path = Self.folder.appendingPathComponent(file).path
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").count
        let replay = try TokenWatchProcess(["replay", "--config", TokenWatchProcess.shippedConfig, path])
        #expect(try replay.waitForExit(timeout: .seconds(60)) == 0)
        // Every line is an event the daemon takes: a session that was not read would prove nothing.
        #expect(replay.standardError.contains { $0.contains("replayed \(lines) events, rejected 0,") })
        let firing = replay.standardOutput.split(separator: "\n").filter { $0.contains(#""state":"firing""#) }
        #expect(firing.isEmpty, "\(file): \(firing.first.map(String.init) ?? "")")
    }
}
