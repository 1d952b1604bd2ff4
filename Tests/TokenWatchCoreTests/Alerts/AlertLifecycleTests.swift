import Testing

@testable import TokenWatchCore

@Suite("Alert lifecycle")
struct AlertLifecycleTests {
    func finding(at time: EventTime, excess: Double = 1.2, key: String = "alice") -> Finding {
        Finding(
            detector: .repetitivePrompts, key: key, subject: AlertSubject(user: key), time: time,
            windowStart: time - .seconds(600),
            observed: [("repeats", .integer(12))], threshold: [("min_repeats", .integer(10))], excess: excess,
            summary: "12 prompts", evidence: ["e1"])
    }

    @Test func oneIncidentGivesOneFiringAndOneResolvedAlert() {
        var lifecycle = AlertLifecycle(configuration: AlertsConfiguration())  // cooldown 30 min, resolve after 15 min
        var alerts: [Alert] = []
        for minute in 0..<20 {  // the pattern holds every minute for 20 minutes
            lifecycle.resolveCleared(now: monday.adding(minutes: Int64(minute)), into: &alerts)
            lifecycle.observe(finding(at: monday.adding(minutes: Int64(minute))), into: &alerts)
        }
        #expect(alerts.count == 1)
        #expect(alerts[0].state == .firing && alerts[0].severity == .warning)
        #expect(alerts[0].topic == "alert.repetitive_prompts.warning")

        // Last seen at 19 min: still open at 33:59, resolved at 34:00 with ts = 19 + 15 min.
        lifecycle.resolveCleared(now: monday.adding(seconds: 34 * 60 - 1), into: &alerts)
        #expect(alerts.count == 1)
        lifecycle.resolveCleared(now: monday.adding(minutes: 34), into: &alerts)
        #expect(alerts.count == 2)
        #expect(alerts[1].state == .resolved && alerts[1].topic == "alert.repetitive_prompts.resolved")
        #expect(alerts[1].time == monday.adding(minutes: 34))
        #expect(alerts[1].incident == alerts[0].incident && alerts[1].id != alerts[0].id)
        #expect(alerts[1].suppressed == 19)
        #expect(lifecycle.openIncidents == 0)
    }

    @Test func aPatternThatGoesOnRepeatsOncePerCooldown() {
        var lifecycle = AlertLifecycle(configuration: AlertsConfiguration())
        var alerts: [Alert] = []
        for minute in stride(from: 0, through: 70, by: 5) {
            lifecycle.observe(finding(at: monday.adding(minutes: Int64(minute))), into: &alerts)
        }
        // Firing at 0, repeats at 30 and 60: findings at 5…25 and 35…55 are suppressed (5 each).
        #expect(alerts.map(\.time) == [0, 30, 60].map { monday.adding(minutes: $0) })
        #expect(alerts.map(\.suppressed) == [0, 5, 5])
        #expect(Set(alerts.map(\.incident)).count == 1)
    }

    @Test func severityIsCriticalAtTheCriticalFactor() {
        var lifecycle = AlertLifecycle(configuration: AlertsConfiguration())
        var alerts: [Alert] = []
        lifecycle.observe(finding(at: monday, excess: 3.0), into: &alerts)
        #expect(alerts.first?.severity == .critical)
        #expect(alerts.first?.topic == "alert.repetitive_prompts.critical")
    }

    @Test func idsDependOnTheEventsOnly() {
        func run() -> [Alert] {
            var lifecycle = AlertLifecycle(configuration: AlertsConfiguration())
            var alerts: [Alert] = []
            lifecycle.observe(finding(at: monday), into: &alerts)
            lifecycle.resolveCleared(now: monday.adding(minutes: 60), into: &alerts)
            return alerts
        }
        #expect(run().map(\.id) == run().map(\.id))
        // The incident id is FNV-1a 64 of "repetitive_prompts|alice|<ms>", written as 16 hex digits.
        #expect(run()[0].incident == StableID.make("repetitive_prompts|alice|\(monday.milliseconds)"))
        #expect(run()[0].incident.count == 16)
    }

    @Test func alertPayloadsAreJSONWithTheContractFields() throws {
        var lifecycle = AlertLifecycle(configuration: AlertsConfiguration())
        var alerts: [Alert] = []
        lifecycle.observe(finding(at: monday), into: &alerts)
        let payload = alerts[0].jsonPayload
        #expect(payload.hasPrefix(#"{"id":""#))
        #expect(
            payload.contains(
                #""detector":"repetitive_prompts","severity":"warning","state":"firing","subject":{"user":"alice"},"ts":"2026-11-02T00:00:00.000Z","window":{"start":"2026-11-01T23:50:00.000Z","end":"2026-11-02T00:00:00.000Z"},"observed":{"repeats":12},"threshold":{"min_repeats":10},"summary":"12 prompts","evidence":["e1"],"suppressed":0}"#
            ))
    }

    @Test func jsonStringsAreEscaped() {
        var json = JSONWriter()
        json.string("a\"b\\c\nd\u{01}é")
        #expect(json.text == #""a\"b\\c\nd\u0001é""#)
    }
}

extension AlertLifecycle {
    /// A finding that arrives in time order: its arrival is its event time.
    mutating func observe(_ finding: Finding, into alerts: inout [Alert]) {
        observe(finding, arrivedAt: finding.time, into: &alerts)
    }
}
