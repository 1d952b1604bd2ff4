import Foundation
import Logging
import Testing
import TokenWatchCore
import ZeroMQ

@testable import TokenWatchRuntime

/// The delivery's own state: operational alerts wait behind detector alerts the journal has not written,
/// and number their frames per topic. A real XPUB socket, a real subscriber and a real journal.
@Suite("Alert delivery")
struct AlertDeliveryTests {
    static let logger = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }

    static func operational(_ name: String) -> OperationalAlert {
        OperationalAlert(
            name: name, severity: .critical, summary: "refused", details: [],
            time: Date(timeIntervalSince1970: 1_800_000_000))
    }

    @Test func operationalAlertsWaitBehindUnsentAlertsAndNumberTheirFramesPerTopic() throws {
        let state = FileManager.default.temporaryDirectory.appendingPathComponent("tw-delivery-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: state) }
        let journal = try AlertJournal(
            directory: state.path, configuration: JournalConfiguration(), logger: Self.logger)
        let wire = try SubscribedPublisher()
        defer { wire.close() }
        /// Each message received as its topic and the sequence frame, little-endian.
        func received() throws -> [String] {
            try wire.received().map { frames in
                let sequence = frames[2].enumerated().reduce(UInt32(0)) { $0 | UInt32($1.element) << (8 * $1.offset) }
                return "\(String(decoding: frames[0], as: UTF8.self)) \(sequence)"
            }
        }
        var delivery = AlertDelivery(publisher: wire.publisher, journal: journal, logger: Self.logger)
        var totals = PipelineStatistics()

        delivery.queue([Self.operational("a"), Self.operational("a"), Self.operational("b")])
        delivery.publishOperational(totals: &totals)
        #expect(try received() == ["alert.tokenwatch.a 0", "alert.tokenwatch.a 1", "alert.tokenwatch.b 0"])

        // The journal cannot write (a file where its directory was, its segment closed): a detector alert
        // waits, and the operational alert waits behind it.
        let directory = state.appendingPathComponent("journal")
        try FileManager.default.removeItem(at: directory)
        try Data().write(to: directory)
        journal.close()
        var alerts = [JournalFirstTests().alert(seq: 0)]
        delivery.publishAlerts(&alerts, totals: &totals)
        delivery.queue([Self.operational("a")])
        delivery.publishOperational(totals: &totals)
        #expect(try received() == [])
        #expect(alerts.isEmpty && delivery.unsent.count == 1 && delivery.operational.count == 1)

        try FileManager.default.removeItem(at: directory)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        delivery.publishAlerts(&alerts, totals: &totals)
        delivery.publishOperational(totals: &totals)
        #expect(try received() == ["alert.repetitive_prompts.warning 0", "alert.tokenwatch.a 2"])
        #expect(delivery.unsent.isEmpty && delivery.operational.isEmpty)
        #expect(totals.totalAlertsPublished == 5)
    }
}
