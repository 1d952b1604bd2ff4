import Foundation
import Testing
import TokenWatchSimulation

@testable import TokenWatchCore

/// A checkpoint written by the engine before its shards (format 2, one table per detector for everyone) is
/// split by user when restored, so an upgrade loses no window, baseline or open incident.
///
/// The fixtures were made with the release before the shards: `tokenwatch generate --population agentic
/// --people 6 --days 2 --seed 7` (4 952 events); `tokenwatch run` with a state directory fed the first 2 476
/// and stopped (`checkpoint-v2.json`); `tokenwatch replay` of the whole file, uninterrupted, gave 32 alerts,
/// of which the 14 from `seq` 18 on are `checkpoint-v2-rest.jsonl`.
@Suite("Checkpoint upgrade")
struct CheckpointUpgradeTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fixtures")

    struct Envelope: Decodable {
        var version: Int
        var engine: DetectionEngine
    }

    static func events() -> [TokenEvent] {
        let options = TrafficGenerator.Options(population: .agentic, people: 6, days: 2, seed: 7)
        let decoder = EventDecoder()
        return TrafficGenerator(options: options).generate().events.map { try! decoder.decode($0.payload).get() }
    }

    func restored(_ configuration: TokenWatchConfiguration) throws -> DetectionEngine {
        let data = try Data(contentsOf: Self.fixtures.appendingPathComponent("checkpoint-v2.json"))
        let envelope = try JSONDecoder().decode(Envelope.self, from: data)
        #expect(envelope.version == 2)
        return DetectionEngine(restoring: envelope.engine, configuration: configuration)
    }

    @Test func theRestContinuesAsTheOldEngineUninterrupted() throws {
        let events = Self.events()
        #expect(events.count == 4952)
        var engine = try restored(TokenWatchConfiguration())
        #expect(engine.upgrade == .split)
        #expect(engine.eventsProcessed == 2476)
        #expect(engine.nextSequence == 18)
        var alerts: [Alert] = []
        for event in events[2476...] { engine.process(event, into: &alerts) }
        let expected = try String(
            contentsOf: Self.fixtures.appendingPathComponent("checkpoint-v2-rest.jsonl"), encoding: .utf8
        ).split(separator: "\n").map(String.init)
        #expect(expected.count == 14)
        #expect(alerts.map(\.jsonPayload) == expected)
    }

    /// Every subject went to its user's shard: nobody's state is left elsewhere.
    @Test func eachSubjectIsInTheShardOfItsUser() throws {
        let engine = try restored(TokenWatchConfiguration())
        var users = 0
        for (index, shard) in engine.shards.enumerated() {
            for entry in shard.detectors.offHoursBurst.subjects.inActivityOrder {
                #expect(VirtualShard.of(user: entry.key) == index)
                users += 1
            }
        }
        // The six people of the workplace (their scheduled agents are their events too).
        #expect(users == 6)
    }

    /// Under pseudonymisation the tables are keyed by pseudonyms, whose shards cannot be known: the windows
    /// start afresh, and what spans people is kept.
    @Test func pseudonymisedWindowsStartAfreshAndTheRestIsKept() throws {
        var configuration = TokenWatchConfiguration()
        configuration.privacy.pseudonymizeUsers = true
        configuration.privacy.key = Array(repeating: 1, count: 32)
        var engine = try restored(configuration)
        #expect(engine.upgrade == .windowsDropped)
        #expect(engine.trackedSubjects.values.allSatisfy { $0 == 0 })
        #expect(engine.nextSequence == 18)
        #expect(engine.eventsProcessed == 2476)
        // The last event before the stop, sent again, is still known by its id.
        var again = DecodedEvent(Self.events()[2475])
        var alerts: [Alert] = []
        #expect(engine.admit(&again, into: &alerts)?.reason == .duplicateID)
    }
}
