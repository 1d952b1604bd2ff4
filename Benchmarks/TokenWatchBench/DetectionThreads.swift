import Foundation
import TokenWatchCore
import TokenWatchRuntime

/// The detection stage alone (events decoded beforehand, in memory) with 1 and 2 threads, and what more cores
/// would give, worked out from the cost of each of the 64 shards.
///
/// With more threads than cores the figures say nothing, so only 1 and 2 run on this 2-core machine. The
/// estimate: each shard's share is timed on its own (one worker per shard, one after the other), the rest of the
/// time (admission, merging, alerts) is the sequential part, and k threads take the sequential part plus the
/// busiest thread's shards (shard mod k), no waiting counted. An upper bound on the speed-up.
func detectionThreads(file: String) {
    let decoder = EventDecoder()
    var events = (try! String(contentsOfFile: file, encoding: .utf8)).split(separator: "\n").map { line in
        var text = String(line)
        return text.withUTF8 { decoder.decodeEvent(UnsafeRawBufferPointer($0)) }
    }
    func replay(on executor: some ShardExecutor) -> (Duration, alerts: Int) {
        var engine = DetectionEngine(configuration: TokenWatchConfiguration())
        var count = 0
        let time = ContinuousClock().measure {
            count = detectInBatches(&events, engine: &engine, on: executor)
        }
        return (time, count)
    }
    var results: [String: Any] = ["events": events.count, "batch": detectionBatch]
    var best: [Int: Duration] = [:]
    for round in 0..<6 {
        let threads = round % 2 + 1
        let workers = DetectionWorkers(workers: threads)
        let (time, alerts) = replay(on: workers)
        best[threads] = min(best[threads] ?? time, time)
        results["alerts_\(threads)_threads"] = alerts
    }
    for (threads, time) in best {
        results["ns_per_event_\(threads)_threads"] = (nanoseconds(time) / Double(events.count)).rounded()
    }
    results["speedup_2_threads"] = nanoseconds(best[1]!) / nanoseconds(best[2]!)
    let timing = ShardTiming()
    let (total, _) = replay(on: timing)
    let shards = timing.perShard.map(nanoseconds)
    let sequential = nanoseconds(total) - shards.reduce(0, +)
    results["sequential_share"] = sequential / nanoseconds(total)
    results["busiest_shard_share"] = shards.max()! / nanoseconds(total)
    var estimate: [String: Double] = [:]
    for threads in [1, 2, 4, 8, 16, 32] {
        var load = [Double](repeating: 0, count: threads)
        for (shard, cost) in shards.enumerated() { load[shard % threads] += cost }
        estimate["\(threads)"] = nanoseconds(total) / (sequential + load.max()!)
    }
    results["estimated_speedup_by_threads"] = estimate
    events.removeAll()
    emit(results)
}

/// Events per batch, as the daemon's decode thread hands them over while detection is behind.
let detectionBatch = 1024

/// Detects `events` in batches of ``detectionBatch`` on `executor`, as `run` and `replay` do (the events read
/// where they lie); returns how many alerts they raised.
func detectInBatches(
    _ events: inout [DecodedEvent], engine: inout DetectionEngine, on executor: some ShardExecutor
) -> Int {
    var alerts: [Alert] = []
    var count = 0
    events.withUnsafeMutableBufferPointer { all in
        for start in stride(from: 0, to: all.count, by: detectionBatch) {
            let slice = UnsafeMutableBufferPointer(rebasing: all[start..<min(start + detectionBatch, all.count)])
            engine.detect(slice, on: executor, rejected: { _, _ in }, into: &alerts)
            count += alerts.count
            alerts.removeAll(keepingCapacity: true)
        }
    }
    return count
}

/// One worker per shard, run in turn on the calling thread, each call timed: the cost of each shard.
final class ShardTiming: ShardExecutor {
    let workers = VirtualShard.count
    private(set) var perShard = [Duration](repeating: .zero, count: VirtualShard.count)

    func run(steps: Int, _ body: (Int) -> Void) {
        let clock = ContinuousClock()
        for worker in 0..<workers {
            let started = clock.now
            body(worker)
            perShard[worker] += clock.now - started
        }
    }
}

/// Decodes every line of `file` (as the decode thread does) and detects the events once, in batches, on the
/// calling thread: a fixed piece of work whose instructions `Benchmarks/instructions.sh` counts under
/// callgrind, where a timing would say nothing. Prints how many events and alerts, to check the run.
func once(file: String) {
    let decoder = EventDecoder()
    // Lines split as bytes: splitting a String by Characters would cost more instructions than the stages.
    let bytes = Array(FileManager.default.contents(atPath: file)!)
    var events = bytes.split(separator: UInt8(ascii: "\n")).map { line in
        line.withUnsafeBytes { decoder.decodeEvent($0) }
    }
    var engine = DetectionEngine(configuration: TokenWatchConfiguration())
    let alerts = detectInBatches(&events, engine: &engine, on: InlineShardExecutor())
    emit(["events": events.count, "alerts": alerts])
}
