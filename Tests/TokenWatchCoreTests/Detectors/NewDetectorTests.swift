import Testing

@testable import TokenWatchCore

@Suite("scripted_cadence and trivial_flood")
struct NewDetectorTests {
    @Test func callsLikeClockworkFromAPersonAreAScript() {
        var detector = ScriptedCadenceDetector(configuration: ScriptedCadenceConfiguration())
        var findings: [Finding] = []
        // Every 60 s, ±0.3 s: 8 calls (7 intervals) reach min_calls 8. Intervals 60.3, 59.7, … have mean 60 s
        // and a standard deviation of 0.3 s: variation 0.005 ≤ 0.02.
        for n in 0..<8 {
            let jitter: Int64 = n == 0 ? 0 : (n % 2 == 1 ? 300 : 0)
            detector.ingest(
                event("bot", at: monday + .milliseconds(Int64(n) * 60_000 + jitter), id: "c\(n)"), into: &findings)
        }
        #expect(findings.count == 1)
        #expect(findings.first?.time == monday + .milliseconds(7 * 60_000 + 300))
        #expect(findings.first?.observed[0].1 == .integer(8))
        #expect(findings.first?.observed[1].1 == .number(60.0))
    }

    @Test func aPersonsIrregularRhythmIsNotAScript() {
        var detector = ScriptedCadenceDetector(configuration: ScriptedCadenceConfiguration())
        var findings: [Finding] = []
        // Intervals alternating 50 s and 70 s: mean 60 s, standard deviation 10 s, variation 0.17 > 0.02.
        var time = monday
        for n in 0..<30 {
            detector.ingest(event("human", at: time), into: &findings)
            time = time + .seconds(n % 2 == 0 ? 50 : 70)
        }
        #expect(findings.isEmpty)
    }

    @Test func scheduledAgentsAndSeparateSessionsAreLeftAlone() {
        var detector = ScriptedCadenceDetector(configuration: ScriptedCadenceConfiguration())
        var findings: [Finding] = []
        for n in 0..<20 {
            detector.ingest(event("owner", at: monday.adding(minutes: Int64(n)), agent: "status-bot"), into: &findings)
        }
        #expect(findings.isEmpty)
        // A steady script in its own session is seen beside the person's own irregular calls in another.
        for n in 0..<8 {
            var scripted = event("mixed", at: monday.adding(seconds: Int64(n) * 45))
            scripted.session = "script"
            detector.ingest(scripted, into: &findings)
            var human = event("mixed", at: monday.adding(seconds: Int64(n) * 45 + Int64(n * n % 17)))
            human.session = "chat"
            detector.ingest(human, into: &findings)
        }
        #expect(findings.count == 1)
        #expect(findings.first?.subject == AlertSubject(user: "mixed"))
    }

    @Test func fortyTrivialPromptsInTenMinutesAreAFlood() {
        var detector = TrivialFloodDetector(configuration: TrivialFloodConfiguration())
        var findings: [Finding] = []
        // "continue" every 10 s: the 40th call (390 s) reaches min_calls 40 within the 10-minute window.
        for n in 0..<40 {
            detector.ingest(
                event("eve", at: monday.adding(seconds: Int64(n) * 10), prompt: "continue", id: "t\(n)"),
                into: &findings)
        }
        #expect(findings.count == 1)
        #expect(findings.first?.time == monday.adding(seconds: 390))
        #expect(findings.first?.observed[0].1 == .integer(40))
    }

    @Test func realPromptsAndAnOccasionalContinueAreNotAFlood() {
        var detector = TrivialFloodDetector(configuration: TrivialFloodConfiguration())
        var findings: [Finding] = []
        for n in 0..<200 {
            let prompt = n % 10 == 0 ? "ok thanks" : "Please explain the retention policy for the new audit logs"
            detector.ingest(event("fay", at: monday.adding(seconds: Int64(n) * 5), prompt: prompt), into: &findings)
        }
        // 20 trivial prompts in 1000 s: at most 12 in any 10 minutes.
        #expect(findings.isEmpty)
        // Without text, tiny inputs are trivial: 40 calls of 8 input tokens.
        for n in 0..<40 {
            detector.ingest(event("gus", at: monday.adding(seconds: Int64(n) * 5), tokens: 8), into: &findings)
        }
        #expect(findings.count == 1)
    }

    @Test func repetitivePromptsLeavesTrivialPromptsToTheFloodDetector() {
        var detector = RepetitivePromptsDetector(configuration: RepetitivePromptsConfiguration())
        var findings: [Finding] = []
        for n in 0..<20 {
            detector.ingest(event("hal", at: monday.adding(minutes: Int64(n)), prompt: "ok continue"), into: &findings)
        }
        #expect(findings.isEmpty)
    }
}

@Suite("Overrides and allowances")
struct OverrideAndAllowanceTests {
    func run(_ configuration: TokenWatchConfiguration, _ events: [TokenEvent]) -> [Alert] {
        var engine = DetectionEngine(configuration: configuration)
        var alerts: [Alert] = []
        for event in events { engine.process(event, into: &alerts) }
        return alerts
    }

    func repeats(_ user: String, team: String? = nil, count: Int, agent: String? = nil, from: EventTime = monday)
        -> [TokenEvent]
    {
        (0..<count).map {
            var e = event(
                user, at: from.adding(minutes: Int64($0)), prompt: "the very same long request again", agent: agent)
            e.team = team
            e.session = "s\($0)"
            return e
        }
    }

    @Test func aUserOverrideBeatsTheTeamOverrideWhichBeatsTheDefaults() throws {
        let configuration = try ConfigurationLoader.load(
            yaml: """
                overrides:
                  - team: research
                    detectors:
                      repetitive_prompts: {min_repeats: 12}
                  - user: ann
                    detectors:
                      repetitive_prompts: {min_repeats: 20}
                """, file: "o.yaml")
        #expect(configuration.overrides.count == 2)
        #expect(configuration.overrides[0].detectors.repetitivePrompts.minRepeats == 12)
        // Keys the override leaves out keep the defaults.
        #expect(configuration.overrides[0].detectors.repetitivePrompts.window == .seconds(3600))
        let alerts = run(
            configuration,
            repeats("bob", team: "research", count: 12) + repeats("ann", team: "research", count: 19)
                + repeats("cid", team: "sales", count: 8))
        let fired = Dictionary(grouping: alerts.filter { $0.state == .firing }, by: { $0.subject.user! })
        // bob: team threshold 12, reached by his 12th; ann: her own 20, not reached by 19; cid: default 8.
        #expect(Set(fired.keys) == ["bob", "cid"])
        #expect(fired["bob"]?.first?.threshold.first?.1 == .integer(12))
    }

    @Test func anAllowanceSilencesItsDetectorsUntilItExpires() throws {
        let configuration = try ConfigurationLoader.load(
            yaml: """
                allowances:
                  - agent: batch-summarizer
                    detectors: [repetitive_prompts]
                    reason: "sanctioned backfill, ticket OPS-7"
                    expires: 2026-11-02
                """, file: "a.yaml")
        #expect(configuration.allowances.first?.expires == EventTime(rfc3339: "2026-11-03T00:00:00Z"))
        // On 2 November (covered): quiet. On 3 November (expired): fires.
        let covered = run(configuration, repeats("ops", count: 10, agent: "batch-summarizer"))
        #expect(covered.isEmpty)
        let expired = run(
            configuration, repeats("ops", count: 10, agent: "batch-summarizer", from: monday.adding(minutes: 1440)))
        #expect(expired.contains { $0.detector == .repetitivePrompts })
    }

    @Test func allowancesNeedAReasonAnExpiryAndAMatch() {
        do {
            _ = try ConfigurationLoader.load(
                yaml: """
                    allowances:
                      - detectors: [agent_loop]
                        expires: 2026-12-01
                      - user: al
                        reason: "why"
                    """, file: "bad.yaml")
            Issue.record("accepted")
        } catch {
            let text = error.description
            #expect(text.contains("allowances[0]: needs at least one of user, agent or tool"))
            #expect(text.contains("allowances[0].reason: is required"))
            #expect(text.contains("allowances[1].expires: is required"))
        }
    }

    @Test func theRenderedConfigurationReadsBackTheSame() throws {
        let yaml = """
            alerts: {cooldown: 45m}
            detectors:
              trivial_flood: {min_calls: 25}
              offhours_burst: {work_days: [tue, sat], timezone: Asia/Tokyo}
            overrides:
              - team: "night shift"
                detectors: {offhours_burst: {work_hours: {start: "20:00", end: "23:59"}}}
            allowances:
              - tool: loadtest
                reason: "quarterly load test"
                expires: 2026-12-24T12:00:00Z
            """
        let configuration = try ConfigurationLoader.load(yaml: yaml, file: "c.yaml")
        let again = try ConfigurationLoader.load(yaml: ConfigurationRenderer.yaml(configuration), file: "rendered.yaml")
        #expect(again == configuration)
        #expect(
            try ConfigurationLoader.load(yaml: ConfigurationRenderer.yaml(TokenWatchConfiguration()), file: "d.yaml")
                == TokenWatchConfiguration())
    }
}

@Suite("Bounded state")
struct BoundedStateTests {
    @Test func aFloodOfDistinctUsersIsCappedAndTheEvictionsCounted() {
        var configuration = TokenWatchConfiguration()
        configuration.state.maxTrackedSubjects = 100
        var engine = DetectionEngine(configuration: configuration)
        var alerts: [Alert] = []
        for n in 0..<1000 {
            var e = event(
                "flood-\(n)", at: monday.adding(seconds: Int64(n)), prompt: "a prompt from someone new \(n) with words",
                agent: "agent-\(n)", parent: "flood-\(n)")
            e.session = "s\(n)"
            engine.process(e, into: &alerts)
        }
        // Never more than 100 at once in any table: the limit is shared by the 64 shards of people, each
        // keeping ⌊100 / 64⌋ = 1 subject per table. The 1 000 users fall in every one of the 64 shards.
        #expect(engine.trackedSubjects.values.allSatisfy { $0 <= 100 })
        #expect(Set((0..<1000).map { VirtualShard.of(user: "flood-\($0)") }).count == 64)
        // Four tables fill (repetitive_prompts and offhours_burst by user, agent_loop by trigger edge, the
        // shared progress measure by stream; agent calls are not cadence, these prompts are not trivial, and
        // nobody resends a context). Each keeps its shard's most recent subject and forgets one for every new
        // one: 1000 − 64 = 936 each, 4 × 936 = 3744.
        #expect(engine.subjectsEvicted == 3744)
        #expect(engine.trackedSubjects[.repetitivePrompts] == 64)
    }
}

@Suite("Pseudonymised users")
struct PseudonymisationTests {
    @Test func alertsNameAKeyedPseudonymNeverTheUser() {
        var configuration = TokenWatchConfiguration()
        configuration.privacy.pseudonymizeUsers = true
        configuration.privacy.key = Array(repeating: 7, count: 32)
        var engine = DetectionEngine(configuration: configuration)
        var alerts: [Alert] = []
        for n in 0..<8 {
            var e = event(
                "alice.smith", at: monday.adding(minutes: Int64(n)), prompt: "the same long request once again",
                id: "e\(n)")
            e.session = "s\(n)"
            engine.process(e, into: &alerts)
        }
        #expect(alerts.count == 1)
        let pseudonym = alerts[0].subject.user!
        // Python's hmac module, independently: hmac.new(bytes([7]*32), b"alice.smith", sha256).hexdigest()[:16]
        #expect(pseudonym == "p-58b6cdca5163a0c2")
        #expect(!alerts[0].jsonPayload.contains("alice"))
        // The same key gives the same pseudonym (replicas agree); another key does not.
        var same = Pseudonymizer(key: Array(repeating: 7, count: 32))
        var other = Pseudonymizer(key: Array(repeating: 8, count: 32))
        #expect(same.pseudonym(for: "alice.smith") == pseudonym)
        #expect(other.pseudonym(for: "alice.smith") != pseudonym)
    }
}

@Suite("Event-time limits")
struct EventTimeLimitTests {
    @Test func eventsFurtherBehindTheWatermarkThanMaxAgeAreIgnoredAndLateOnesCounted() {
        var engine = DetectionEngine(configuration: TokenWatchConfiguration())  // max_age 24 h, lateness 60 s
        var alerts: [Alert] = []
        engine.process(event("a", at: monday.adding(minutes: 48 * 60)), into: &alerts)
        let tooOld = event("a", at: monday.adding(minutes: 24 * 60 - 1))  // 24 h 1 min behind
        let late = event("a", at: monday.adding(minutes: 47 * 60))  // 1 h behind: late, still handled
        #expect(engine.isTooOld(tooOld))
        #expect(!engine.isTooOld(late))
        engine.process(tooOld, into: &alerts)
        engine.process(late, into: &alerts)
        #expect(engine.eventsProcessed == 2)
        #expect(engine.eventsLate == 1)
    }
}
