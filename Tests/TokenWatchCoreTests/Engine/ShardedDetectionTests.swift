import Foundation
import Testing
import TokenWatchSimulation

@testable import TokenWatchCore

/// Detection split over shards and workers must give exactly the alerts of one event at a time: same alerts,
/// same ids, same `seq`, same order, whatever the number of workers and however the events are batched.
@Suite("Sharded detection")
struct ShardedDetectionTests {
    /// Both populations, the agentic one three days after the office one, so that every detector fires.
    static let events: [DecodedEvent] = {
        let decoder = EventDecoder()
        return TrafficGenerator.Population.allCases.enumerated().flatMap { offset, population in
            var options = TrafficGenerator.Options(population: population, people: 20, days: 2, seed: 11)
            options.start = options.start + .seconds(Int64(offset) * 3 * 86_400)
            return TrafficGenerator(options: options).generate().events.map {
                DecodedEvent(decoder.decode($0.payload))
            }
        }
    }()

    /// The reference: each event admitted on its own, through ``DetectionEngine/admit(_:latestAccepted:into:)``.
    static let oneAtATime: (alerts: [String], rejected: Int) = {
        var engine = DetectionEngine(configuration: TokenWatchConfiguration())
        var alerts: [Alert] = []
        var rejected = 0
        for var event in events where engine.admit(&event, into: &alerts) != nil { rejected += 1 }
        return (alerts.map(\.jsonPayload), rejected)
    }()

    func detect(workers: Int, batch: Int) -> (alerts: [String], rejected: Int, engine: DetectionEngine) {
        var engine = DetectionEngine(configuration: TokenWatchConfiguration())
        var alerts: [Alert] = []
        var rejected = 0
        var events = Self.events
        events.withUnsafeMutableBufferPointer { all in
            for start in stride(from: 0, to: all.count, by: batch) {
                engine.detect(
                    UnsafeMutableBufferPointer(rebasing: all[start..<min(start + batch, all.count)]),
                    on: InlineShardExecutor(workers: workers), rejected: { _, _ in rejected += 1 }, into: &alerts)
            }
        }
        return (alerts.map(\.jsonPayload), rejected, engine)
    }

    @Test func theReferenceRaisesEveryDetectorsAlerts() {
        let detectors = Set(
            Self.oneAtATime.alerts.compactMap { payload in
                (try? JSONSerialization.jsonObject(with: Data(payload.utf8)) as? [String: Any])?["detector"] as? String
            })
        #expect(detectors == Set(DetectorName.allCases.map(\.rawValue)))
    }

    @Test(arguments: [(1, 1), (1, 4096), (2, 64), (3, 1), (7, 500), (64, 1000)])
    func anyWorkersAndBatchesGiveTheSameAlerts(workers: Int, batch: Int) {
        let sharded = detect(workers: workers, batch: batch)
        #expect(sharded.alerts == Self.oneAtATime.alerts)
        #expect(sharded.rejected == Self.oneAtATime.rejected)
    }

    /// A checkpoint in the middle, restored: the rest gives the alerts an uninterrupted engine gives.
    @Test func aCheckpointInTheMiddleChangesNothing() throws {
        let half = Self.events.count / 2
        var engine = DetectionEngine(configuration: TokenWatchConfiguration())
        var alerts: [Alert] = []
        for var event in Self.events[..<half] { _ = engine.admit(&event, into: &alerts) }
        let saved = try JSONEncoder().encode(engine)
        engine = DetectionEngine(
            restoring: try JSONDecoder().decode(DetectionEngine.self, from: saved),
            configuration: TokenWatchConfiguration())
        for var event in Self.events[half...] { _ = engine.admit(&event, into: &alerts) }
        #expect(alerts.map(\.jsonPayload) == Self.oneAtATime.alerts)
    }

    /// Each user's state is in the shard of their id, and only there.
    @Test func aUsersStateLivesInTheirShard() {
        let sharded = detect(workers: 2, batch: 256)
        var tracked = 0
        for user in Set(Self.events.map(\.event.user)) {
            let holders = sharded.engine.shards.indices.filter {
                sharded.engine.shards[$0].detectors.offHoursBurst.subjects.lastActive(user) != nil
            }
            #expect(holders.isEmpty || holders == [VirtualShard.of(user: user)], "\(user) held by \(holders)")
            tracked += holders.count
        }
        // The agentic population's 20 people, whose hours are still inside the baseline's span, at least.
        #expect(tracked >= 20)
    }
}
