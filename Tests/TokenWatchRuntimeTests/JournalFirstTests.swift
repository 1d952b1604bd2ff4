import Foundation
import Logging
import Testing
import TokenWatchCore
import ZeroMQ

@testable import TokenWatchRuntime

/// An alert is sent only once the journal has it in its file: while the journal cannot write, alerts wait,
/// and they go out, in order, once it can. Real files, a real XPUB socket and a real subscriber.
@Suite("Journal first")
struct JournalFirstTests {
    static let logger = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }

    func alert(seq: UInt64) -> Alert {
        var configuration = TokenWatchConfiguration()
        configuration.detectors.repetitivePrompts.minRepeats = 2
        var engine = DetectionEngine(configuration: configuration)
        var alerts: [Alert] = []
        let decoder = EventDecoder()
        for minute in 0..<2 {
            let payload =
                #"{"ts":"2026-11-02T10:0\#(minute):00Z","user":"u\#(seq)","input_tokens":1,"output_tokens":1,"#
                + #""prompt":"the same words again about the budget"}"#
            var decoded = DecodedEvent(decoder.decode(payload))
            _ = engine.admit(&decoded, into: &alerts)
        }
        var first = alerts[0]
        first.seq = seq
        return first
    }

    @Test func alertsWaitWhileTheJournalCannotWriteAndLeaveInOrderOnceItCan() throws {
        let state = FileManager.default.temporaryDirectory.appendingPathComponent("tw-journal-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: state) }
        var journalSettings = JournalConfiguration()
        journalSettings.maxSegmentBytes = 4096
        let journal = try AlertJournal(directory: state.path, configuration: journalSettings, logger: Self.logger)
        let wire = try SubscribedPublisher()
        defer { wire.close() }
        var delivery = AlertDelivery(publisher: wire.publisher, journal: journal, logger: Self.logger)
        var totals = PipelineStatistics()
        func publish(seq: UInt64) {
            var alerts = [alert(seq: seq)]
            delivery.publishAlerts(&alerts, totals: &totals)
        }
        func received() throws -> [UInt64] {
            try wire.received().map { frames in
                let object = try JSONSerialization.jsonObject(with: Data(frames[1])) as? [String: Any]
                return UInt64(object?["seq"] as? Int ?? -1)
            }
        }

        publish(seq: 0)
        #expect(try received() == [0])

        // The journal directory becomes unusable (a file in its place) and the open segment is closed, as at a
        // rotation: the next segment cannot be opened.
        let directory = state.appendingPathComponent("journal")
        try FileManager.default.removeItem(at: directory)
        try Data().write(to: directory)
        journal.close()
        for seq in 1...8 { publish(seq: UInt64(seq)) }
        #expect(try received() == [])
        #expect(totals.alertsAwaitingJournal == 8 && delivery.unsent.count == 8)

        try FileManager.default.removeItem(at: directory)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        publish(seq: 9)
        let sent = try received()
        let journaled = try FileManager.default.contentsOfDirectory(atPath: directory.path).flatMap { name in
            try String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8).split(separator: "\n")
                .compactMap { JournalEntry(line: $0)?.seq }
        }
        #expect(totals.alertsAwaitingJournal == 0 && delivery.unsent.isEmpty)
        #expect(sent == Array(1...9))
        // Every alert sent after the repair is in the journal's file (the segment holding 0 was in the
        // directory that was removed).
        #expect(journaled.sorted() == Array(1...9))
        #expect(journal.nextSeq == 10)
    }
}
