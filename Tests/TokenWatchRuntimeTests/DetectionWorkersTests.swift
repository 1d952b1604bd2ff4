import Foundation
import Synchronization
import Testing
import TokenWatchCore
import TokenWatchRuntime
import TokenWatchSimulation

/// The detection threads: each worker's share runs on its own thread, and the alerts are those of one thread.
@Suite("Detection threads")
struct DetectionWorkersTests {
    @Test func eachWorkerRunsOnAThreadOfItsOwn() {
        let workers = DetectionWorkers(workers: 3)
        let threads = Mutex<[Int: String]>([:])
        workers.run(steps: DetectionWorkers.minimumParallelSteps) { worker in
            let name = "\(Unmanaged.passUnretained(Thread.current).toOpaque())"
            threads.withLock { $0[worker] = name }
        }
        let seen = threads.withLock { $0 }
        #expect(seen.keys.sorted() == [0, 1, 2])
        #expect(Set(seen.values).count == 3)
        #expect(seen[0] == "\(Unmanaged.passUnretained(Thread.current).toOpaque())")
    }

    @Test func aSmallSegmentRunsOnTheCallingThreadAlone() {
        let workers = DetectionWorkers(workers: 3)
        let threads = Mutex<Set<String>>([])
        workers.run(steps: DetectionWorkers.minimumParallelSteps - 1) { _ in
            _ = threads.withLock { $0.insert("\(Unmanaged.passUnretained(Thread.current).toOpaque())") }
        }
        #expect(threads.withLock { $0 } == ["\(Unmanaged.passUnretained(Thread.current).toOpaque())"])
    }

    @Test(arguments: [2, 3, 5])
    func threadsGiveTheAlertsOfOneThread(workers: Int) {
        let options = TrafficGenerator.Options(population: .agentic, people: 20, days: 2, seed: 3)
        let decoder = EventDecoder()
        let events = TrafficGenerator(options: options).generate().events.map {
            DecodedEvent(decoder.decode($0.payload))
        }
        func detect(on executor: some ShardExecutor) -> [String] {
            var engine = DetectionEngine(configuration: TokenWatchConfiguration())
            var alerts: [Alert] = []
            var events = events
            events.withUnsafeMutableBufferPointer { all in
                for start in stride(from: 0, to: all.count, by: 4096) {
                    engine.detect(
                        UnsafeMutableBufferPointer(rebasing: all[start..<min(start + 4096, all.count)]), on: executor,
                        rejected: { _, _ in }, into: &alerts)
                }
            }
            return alerts.map(\.jsonPayload)
        }
        let one = detect(on: InlineShardExecutor())
        #expect(one.count > 40)
        #expect(detect(on: DetectionWorkers(workers: workers)) == one)
    }
}
