import Testing

@testable import TokenWatchRuntime

@Suite("Checkpoint schedule")
struct CheckpointScheduleTests {
    let start = ContinuousClock.now

    @Test func checkpointsFallDueOnePerIntervalAndFollowAReloadedInterval() {
        var schedule = CheckpointSchedule(now: start, interval: .seconds(60))
        let due = [
            schedule.isDue(now: start + .seconds(59), interval: .seconds(60)),
            schedule.isDue(now: start + .seconds(60), interval: .seconds(60)),
            schedule.isDue(now: start + .seconds(119), interval: .seconds(60)),
            // A reload shortened the interval: the next is due 10 s after the one written at 120 s.
            schedule.isDue(now: start + .seconds(120), interval: .seconds(10)),
        ]
        #expect(due == [false, true, false, true])
        #expect(schedule.next == start + .seconds(130))
    }
}
