import Testing

@testable import TokenWatchRuntime

@Suite("Detection loop state machine")
struct DetectionLoopStateTests {
    struct DecodeFailure: Error {}
    let start = ContinuousClock.now

    @Test func aStopIsForwardedToTheDecodeStageOnce() {
        var loop = DetectionLoopState(now: start, checkpointInterval: .seconds(60))
        let first = loop.stopRequested()
        let second = loop.stopRequested()
        #expect(first == .forwardStopToDecodeStage)
        #expect(second == .none)
        #expect(loop.phase == .draining)
    }

    @Test func theLastBatchEndsTheLoopWhetherOrNotAStopWasAsked() throws {
        var loop = DetectionLoopState(now: start, checkpointInterval: .seconds(60))
        try loop.lastBatchArrived(error: nil)
        let stop = loop.stopRequested()
        #expect(loop.phase == .drained)
        #expect(stop == .none)
    }

    @Test func aFailedDecodeStageEndsTheLoopWithItsError() {
        var loop = DetectionLoopState(now: start, checkpointInterval: .seconds(60))
        _ = loop.stopRequested()
        #expect(throws: DecodeFailure.self) { try loop.lastBatchArrived(error: DecodeFailure()) }
        #expect(loop.phase == .drained)
    }

    @Test func checkpointsFallDueOnePerIntervalAndFollowAReloadedInterval() {
        var loop = DetectionLoopState(now: start, checkpointInterval: .seconds(60))
        let due = [
            loop.checkpointDue(now: start + .seconds(59), interval: .seconds(60)),
            loop.checkpointDue(now: start + .seconds(60), interval: .seconds(60)),
            loop.checkpointDue(now: start + .seconds(119), interval: .seconds(60)),
            // A reload shortened the interval: the next is due 10 s after the one written at 120 s.
            loop.checkpointDue(now: start + .seconds(120), interval: .seconds(10)),
        ]
        #expect(due == [false, true, false, true])
        #expect(loop.nextCheckpoint == start + .seconds(130))
    }
}
