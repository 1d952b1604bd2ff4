import Testing
import TokenWatchSimulation

@testable import TokenWatchCore

@Suite("Duration in milliseconds")
struct DurationMillisecondsTests {
    @Test func agreesWithTheComponentsEverywhere() {
        // Reference: seconds and attoseconds from `components`, both truncated toward zero and of one sign.
        func reference(_ duration: Duration) -> Int64 {
            let (seconds, attoseconds) = duration.components
            return seconds * 1000 + attoseconds / 1_000_000_000_000_000
        }
        var generator = SeededRandom(seed: 3)
        for _ in 0..<100_000 {
            let seconds = Int64(bitPattern: generator.next()) % 10_000_000_000
            let attoseconds = Int64(bitPattern: generator.next()) % 1_000_000_000_000_000_000
            // Components of one sign, as Duration normalises them.
            let duration = Duration(
                secondsComponent: seconds, attosecondsComponent: seconds < 0 ? -abs(attoseconds) : abs(attoseconds))
            #expect(duration.milliseconds == reference(duration))
        }
        #expect(Duration.seconds(3600).milliseconds == 3_600_000)
        #expect(Duration.milliseconds(-1500).milliseconds == -1500)
        #expect(Duration.nanoseconds(999_999).milliseconds == 0)
        #expect(Duration.nanoseconds(-999_999).milliseconds == 0)
    }
}
