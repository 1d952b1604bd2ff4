import Foundation
import TokenWatchCore

/// `tokenwatch-bench history N CALLS`: the resident memory per tracked subject as each of N people makes CALLS
/// calls a minute apart, read after every call: what a long history holds, which `memory` (three calls) does
/// not show. The state's arrays grow with what the windows hold, up to their caps (prompt clusters per person,
/// prompts kept per stream, minutes of a window); the systemd unit's `MemoryMax` is set from this figure.
///
/// The worst case for the prompt state: every call's prompt is new to its person and long enough to fill a
/// sketch (40 words drawn afresh: more than ``PromptFingerprint/sketchSize`` words and pairs), so that each
/// call opens a cluster of the largest size rather than repeating one. Nothing is timed.
func memoryHistory(subjects: Int, calls: Int) {
    var configuration = TokenWatchConfiguration()
    configuration.state.maxTrackedSubjects = 100_000_000
    // Each call visits the people in another order, as `memory` does.
    func events(call: Int) -> [DecodedEvent] {
        let order = call % SyntheticCalls.visitingOrders.count
        return SyntheticCalls.pass(call, of: subjects, order: order) { n in
            (0..<40).map { letters(call * 131 + $0 * 17 + n % 97 + 30) }.joined(separator: " ")
        }.map(DecodedEvent.init)
    }
    var engine = DetectionEngine(configuration: configuration)
    let executor = InlineShardExecutor()
    var alerts = 0
    var bytesPerSubject: [Double] = []
    // Every call's events are made before any reading and kept alive through all of them, so that the growth
    // read is the engine's state alone.
    var all = (0..<calls).map(events(call:))
    let before = residentBytes()
    for call in 0..<calls {
        alerts += detectInBatches(&all[call], engine: &engine, on: executor)
        bytesPerSubject.append((Double(residentBytes() - before) / Double(subjects)).rounded())
    }
    emit([
        "subjects": subjects, "calls": calls, "alerts": alerts,
        "resident_bytes_per_subject_after_each_call": bytesPerSubject,
        "tracked": engine.trackedSubjects.mapKeys(\.rawValue),
    ])
}
