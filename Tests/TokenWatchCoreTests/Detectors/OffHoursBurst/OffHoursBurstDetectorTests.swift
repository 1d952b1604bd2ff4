import Testing

@testable import TokenWatchCore

@Suite("offhours_burst")
struct OffHoursBurstDetectorTests {
    var detector = OffHoursBurstDetector(configuration: OffHoursBurstConfiguration())

    mutating func feed(_ events: [TokenEvent]) -> [Finding] {
        var findings: [Finding] = []
        for event in events { detector.ingest(event, into: &findings) }
        return findings
    }

    @Test mutating func workHoursFollowTheUsersTimeZone() {
        let cases: [(minutes: Int64, zone: String?, offHours: Bool)] = [
            // Monday 2026-11-02 in Berlin is UTC+1 (summer time ended on 25 October).
            (8 * 60 + 30, "Europe/Berlin", false),  // 09:30 local
            (7 * 60 + 30, "Europe/Berlin", true),  // 08:30 local
            (17 * 60 + 30, "Europe/Berlin", true),  // 18:30 local
            // New York is UTC−5: 14:00Z is 09:00 local, the first minute of work.
            (14 * 60, "America/New_York", false),
            (13 * 60 + 59, "America/New_York", true),
            // Saturday noon is off-hours everywhere; no zone or an unknown one falls back to the configured UTC.
            (5 * 1440 + 12 * 60, nil, true),
            (12 * 60, "Not/A_Zone", false),
        ]
        var results: [Bool] = []
        for test in cases {
            results.append(detector.isOffHours(monday.adding(minutes: test.minutes), timeZone: test.zone))
        }
        #expect(results == cases.map(\.offHours))
    }

    /// The configured working days decide, whichever they are: with Tuesday and Saturday as the only ones,
    /// Monday 10:00 UTC is off-hours and Tuesday and Saturday 10:00 are not; Sunday stays off.
    @Test mutating func theConfiguredWorkDaysDecide() {
        var configuration = OffHoursBurstConfiguration()
        configuration.workDays = [1, 5]
        detector = OffHoursBurstDetector(configuration: configuration)
        let tenOnDay = { (day: Int64) in monday.adding(minutes: day * 1440 + 10 * 60) }
        #expect(
            (0..<7).map { detector.isOffHours(tenOnDay($0), timeZone: "UTC") } == [
                true, false, true, true, true, false, true,
            ])
    }

    /// The prior gives way to the person's own busiest hour as their hours accumulate: with four of the eight
    /// warm-up hours known (08:00–11:59, 1 000 tokens each) the baseline is the geometric midpoint of the
    /// default prior 100 000 and 1 000, √(10^5 × 10^3) = 10 000. No floor here, so that the limit is the
    /// baseline's: 5 × 10 000 = 50 000, reached by the 5th call of 10 000 tokens from 22:00 (the full prior
    /// would need the 50th).
    @Test mutating func thePriorGivesWayToThePersonsOwnHours() {
        var configuration = OffHoursBurstConfiguration()
        configuration.minTokens = 0
        detector = OffHoursBurstDetector(configuration: configuration)
        var events = (0..<4).map { event("light", at: monday.adding(minutes: (8 + Int64($0)) * 60), tokens: 1_000) }
        events += (0..<60).map { event("light", at: monday.adding(minutes: 22 * 60 + Int64($0)), tokens: 10_000) }
        let findings = feed(events)
        #expect(findings.first?.time == monday.adding(minutes: 22 * 60 + 4))
        #expect(findings.first?.observed[2].1 == .integer(10_000))
    }

    @Test mutating func aBurstOfANewUserFiresAtFiveTimesTheDefaultBaseline() {
        // No history: baseline 100 000 tokens/h, limit max(500 000, 5 × 100 000) = 500 000.
        // 10 000 tokens a minute from 23:00 Monday (UTC): the 50th call reaches 500 000.
        let events = (0..<60).map {
            event("night", at: monday.adding(minutes: 23 * 60 + Int64($0)), tokens: 10_000, id: "b\($0)")
        }
        let findings = feed(events)
        #expect(findings.first?.time == monday.adding(minutes: 23 * 60 + 49))
        #expect(findings.first?.observed[0].1 == .integer(500_000))
        #expect(findings.first?.threshold[2].1 == .integer(500_000))
        #expect(findings.count == 11)  // every call from the 50th to the 60th
    }

    @Test mutating func offHoursWorkAtTheUsersNormalVolumeIsNotABurst() {
        // A night owl: two weeks of nights 21:00–01:00 UTC at 60 calls of 1 500 tokens an hour (90 000/h), and
        // one bigger night at 150 000/h: their baseline is ~90 000, so their limit is 450 000.
        var events: [TokenEvent] = []
        for day in 0..<14 {
            let perMinute: Int64 = day == 10 ? 2_500 : 1_500
            for minute in 0..<240 {
                events.append(
                    event(
                        "owl", at: monday.adding(minutes: Int64(day) * 1440 + 21 * 60 + Int64(minute)),
                        tokens: perMinute))
            }
        }
        #expect(feed(events).isEmpty)
    }

    @Test mutating func aWarmUserIsJudgedAgainstTheirOwnBaseline() {
        // Ten work hours on Monday at 30 000 tokens/h, so the baseline is 30 000 and the limit is
        // max(500 000, 5 × 30 000) = 500 000: the floor. At 10 000 tokens a minute from 22:00 the
        // 50th call reaches 500 000.
        var events = (0..<600).map { event("worker", at: monday.adding(minutes: 8 * 60 + Int64($0)), tokens: 500) }
        events += (0..<60).map { event("worker", at: monday.adding(minutes: 22 * 60 + Int64($0)), tokens: 10_000) }
        let findings = feed(events)
        #expect(findings.first?.time == monday.adding(minutes: 22 * 60 + 49))
        #expect(findings.first?.observed[2].1 == .integer(30_000))
    }

    @Test mutating func hoursThatRaisedAnAlertDoNotRaiseTheBaseline() {
        // Eight work hours (08:00–15:59) at 30 000 tokens/h, then a burst on Monday night (1 200 000 tokens in
        // 22:00–22:59). Were that hour counted, it would be the 90th percentile of nine active hours and put
        // the limit at 6 000 000; marked alerted, it is left out, so Tuesday night's equal burst still fires
        // against max(500 000, 5 × 30 000).
        var events = (0..<480).map { event("worker", at: monday.adding(minutes: 8 * 60 + Int64($0)), tokens: 500) }
        events += (0..<60).map { event("worker", at: monday.adding(minutes: 22 * 60 + Int64($0)), tokens: 20_000) }
        events += (0..<60).map {
            event("worker", at: monday.adding(minutes: 1440 + 22 * 60 + Int64($0)), tokens: 20_000)
        }
        let findings = feed(events)
        let tuesday = findings.filter { $0.time >= monday.adding(minutes: 1440) }
        #expect(tuesday.first?.time == monday.adding(minutes: 1440 + 22 * 60 + 24))  // 25 × 20 000 = 500 000
        #expect(tuesday.first?.observed[2].1 == .integer(30_000))
    }

    @Test mutating func theBaselineIsTheThirdBusiestHour() {
        // Nine work hours (08:00–16:59) at 100 000, 200 000, … 900 000 tokens (ten calls each, in shuffled
        // order of hours so that the busiest do not come last): the third busiest is 700 000, so the limit is
        // max(500 000, 5 × 700 000) = 3 500 000, reached by the 35th call of 100 000 tokens from 22:00.
        var events: [TokenEvent] = []
        for hour in [3, 8, 0, 5, 1, 7, 2, 6, 4] as [Int64] {
            for call in 0..<10 as Range<Int64> {
                events.append(
                    event("ranked", at: monday.adding(minutes: (8 + hour) * 60 + call * 6), tokens: (hour + 1) * 10_000)
                )
            }
        }
        events.sort { $0.time < $1.time }
        events += (0..<60).map { event("ranked", at: monday.adding(minutes: 22 * 60 + Int64($0)), tokens: 100_000) }
        let findings = feed(events)
        #expect(findings.first?.time == monday.adding(minutes: 22 * 60 + 34))
        #expect(findings.first?.observed[2].1 == .integer(700_000))
    }

    @Test mutating func withNoWarmUpANewUserStillGetsTheDefaultBaseline() {
        // `warmup_active_hours: 0` trusts a person's own hours at once; with none known yet (a first call at
        // night), the default 100 000 tokens/h applies, as for any new user: the 50th call of 10 000 fires.
        var configuration = OffHoursBurstConfiguration()
        configuration.warmupActiveHours = 0
        detector = OffHoursBurstDetector(configuration: configuration)
        let findings = feed(
            (0..<60).map { event("first", at: monday.adding(minutes: 23 * 60 + Int64($0)), tokens: 10_000) })
        #expect(findings.first?.time == monday.adding(minutes: 23 * 60 + 49))
        #expect(findings.first?.observed[2].1 == .integer(100_000))
    }
}
