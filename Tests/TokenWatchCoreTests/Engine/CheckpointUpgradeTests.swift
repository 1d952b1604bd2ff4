import Foundation
import Testing

@testable import TokenWatchCore

/// A checkpoint written by the engine before its shards (format 2, one table per detector for everyone) is
/// split by user when restored, so an upgrade loses no window, baseline or open incident.
///
/// The fixtures were made with the release before the shards: `tokenwatch generate --population agentic
/// --people 6 --days 2 --seed 7` (4 952 events, by that release's generator); `tokenwatch run` with a state
/// directory fed the first 2 476 and stopped (`checkpoint-v2.json`); `checkpoint-v2-events-rest.jsonl` holds
/// the last event before the stop and the 2 476 after it; `tokenwatch replay` of the whole file,
/// uninterrupted, gave 32 alerts, of which the 14 from `seq` 18 on are `checkpoint-v2-rest.jsonl`. Progress has
/// since been judged by accumulation, so `agent_loop`, `offhours_burst` and `context_padding` judge that
/// workplace differently; `repetitive_prompts`, whose rule changed only for follow-ups in growing
/// conversations, must go on as it did.
@Suite("Checkpoint upgrade")
struct CheckpointUpgradeTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fixtures")

    struct Envelope: Decodable {
        var version: Int
        var engine: DetectionEngine
    }

    /// The last event before the stop, then the rest.
    static func events() throws -> [TokenEvent] {
        let decoder = EventDecoder()
        return try String(
            contentsOf: fixtures.appendingPathComponent("checkpoint-v2-events-rest.jsonl"), encoding: .utf8
        ).split(separator: "\n").map { try decoder.decode(String($0)).get() }
    }

    func restored(_ configuration: TokenWatchConfiguration) throws -> DetectionEngine {
        let data = try Data(contentsOf: Self.fixtures.appendingPathComponent("checkpoint-v2.json"))
        let envelope = try JSONDecoder().decode(Envelope.self, from: data)
        #expect(envelope.version == 2)
        return DetectionEngine(restoring: envelope.engine, configuration: configuration)
    }

    @Test func theRestContinuesWhereTheOldEngineStopped() throws {
        let events = try Self.events()
        #expect(events.count == 2477)
        var engine = try restored(TokenWatchConfiguration())
        #expect(engine.upgrade == .split)
        #expect(engine.eventsProcessed == 2476)
        #expect(engine.nextSequence == 18)
        var alerts: [Alert] = []
        for event in events.dropFirst() { engine.process(event, into: &alerts) }
        // The journal's sequence goes on without a gap, and every incident opened after the stop is closed.
        #expect(alerts.map(\.seq) == Array(18..<(18 + UInt64(alerts.count))))
        let opened = Set(alerts.filter { $0.state == .firing }.map(\.incident))
        #expect(opened == Set(alerts.filter { $0.state == .resolved }.map(\.incident)))
        let expected = try String(
            contentsOf: Self.fixtures.appendingPathComponent("checkpoint-v2-rest.jsonl"), encoding: .utf8
        ).split(separator: "\n").map(String.init)
        #expect(expected.count == 14)
        // repetitive_prompts, whose rule changed only for follow-ups in accumulating conversations, fires as
        // the old engine did and clears at the same time (having counted one prompt fewer, 15 of 16: ev-3668
        // was sent with a growing context).
        func unsequenced(_ payload: String) -> String {
            payload.replacingOccurrences(of: #""id":"[0-9a-f]+","#, with: "", options: .regularExpression)
                .replacingOccurrences(of: #""seq":[0-9]+,"#, with: "", options: .regularExpression)
        }
        let repeats = alerts.filter { $0.detector == .repetitivePrompts }
        let oldRepeats = expected.filter { $0.contains(#""detector":"repetitive_prompts""#) }.map(unsequenced)
        #expect(oldRepeats.count == 2 && repeats.count == 2)
        #expect(repeats.first.map { unsequenced($0.jsonPayload) } == oldRepeats.first)
        #expect(repeats.last?.state == .resolved)
        #expect(repeats.last?.time == EventTime(rfc3339: "2026-11-03T15:14:05.257Z"))
        let cleared = "cleared: 15 prompts that are the same or nearly the same (12 variants) within 60 min"
        #expect(repeats.last?.summary == cleared)
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
        var again = DecodedEvent(try Self.events()[0])
        var alerts: [Alert] = []
        #expect(engine.admit(&again, into: &alerts)?.reason == .duplicateID)
    }
}
