import Testing

@testable import TokenWatchCore

/// Both sides of every line the progress measure draws, through the engine with the shipped defaults: honest
/// agentic work stays quiet however much of it there is, the busywork shape beside it fires. With text and
/// with hash-only events.
@Suite("Agentic work and the busywork among it")
struct AgenticPrecisionTests {
    enum Content { case text, hashes }

    /// The first firing alert of each incident of `detector` on `events` (a pattern that goes on fires again
    /// once per cooldown, as the same incident).
    func firing(_ detector: DetectorName, _ events: [TokenEvent], configuration: TokenWatchConfiguration = .init())
        -> [Alert]
    {
        var engine = DetectionEngine(configuration: configuration)
        var alerts: [Alert] = []
        for e in events.sorted(by: { $0.time < $1.time }) { engine.process(e, into: &alerts) }
        var seen: Set<String> = []
        return alerts.filter { $0.detector == detector && $0.state == .firing && seen.insert($0.incident).inserted }
    }

    /// One call of `agent`'s: its prompt is `promptID`'s text or hash, its answer `outputID`.
    func call(
        _ agent: String?, parent: String?, user: String = "dev", at seconds: Int64, _ content: Content,
        prompt promptID: Int, output outputID: Int, tokens: Int64 = 60_000, hour: Int64 = 10
    ) -> TokenEvent {
        var e = event(
            user, at: monday.adding(minutes: hour * 60).adding(seconds: seconds), tokens: tokens,
            prompt: content == .text ? text(promptID) : nil, id: "\(user)-\(agent ?? "-")-\(seconds)", agent: agent,
            parent: parent, promptHash: content == .hashes ? "p\(promptID)" : nil, outputHash: "o\(outputID)")
        e.team = "platform"
        return e
    }

    // MARK: agent_loop

    /// A coding agent triggering itself every 8 s for an hour (450 calls), each step new.
    @Test(arguments: [Content.text, .hashes])
    func aCodingAgentWorkingThroughHundredsOfStepsIsNotALoop(content: Content) {
        let events = (0..<450).map { n in
            call("code-agent", parent: n == 0 ? "dev" : "code-agent", at: Int64(n) * 8, content, prompt: n, output: n)
        }
        #expect(firing(.agentLoop, events).isEmpty)
    }

    /// The same agent returning to the same three steps: 40 iterations, 3 of them new.
    @Test(arguments: [Content.text, .hashes])
    func aCodingAgentCyclingThroughThreeStepsIsALoop(content: Content) {
        let events = (0..<40).map { n in
            call(
                "code-agent", parent: n == 0 ? "dev" : "code-agent", at: Int64(n) * 8, content, prompt: n % 3,
                output: n % 3)
        }
        let alerts = firing(.agentLoop, events)
        #expect(alerts.count == 1)
        // The first call comes from the person; the 21st is the 20th self-trigger. Of those 20 iterations only
        // the first two (steps 1 and 2; step 0 came before) brought something new.
        #expect(alerts.first?.summary.contains("new content in 2 of 20 iterations") == true)
        #expect(alerts.first?.observed.first { $0.0 == "novelty" }?.1 == .number(0.1))
    }

    /// planner → coder → reviewer → planner for an hour, every step new (hash-only crews hand each output on).
    @Test(arguments: [Content.text, .hashes])
    func aCrewMakingProgressIsNotALoop(content: Content) {
        let members = ["planner", "coder", "reviewer"]
        var events: [TokenEvent] = []
        for n in 0..<300 {
            var e = call(
                members[n % 3], parent: n == 0 ? "dev" : members[(n + 2) % 3], at: Int64(n) * 12, content, prompt: n,
                output: n)
            if content == .hashes && n > 0 { e.promptHash = "o\(n - 1)" }
            events.append(e)
        }
        #expect(firing(.agentLoop, events).isEmpty)
    }

    @Test(arguments: [Content.text, .hashes])
    func aCrewReturningToTheSameTextsIsALoop(content: Content) {
        let members = ["planner", "coder", "reviewer"]
        let events = (0..<60).map { n in
            call(
                members[n % 3], parent: n == 0 ? "dev" : members[(n + 2) % 3], at: Int64(n) * 10, content,
                prompt: n % 6, output: n % 6)
        }
        let alerts = firing(.agentLoop, events)
        #expect(alerts.count == 1)
        #expect(alerts.first?.observed.first { $0.0 == "kind" }?.1 == .text("cycle"))
    }

    /// One loop is one alert: its repeated texts are the loop's, not three more repetitive_prompts incidents.
    @Test func aLoopsRepeatedTextsAreReportedOnceAsALoop() {
        let events = (0..<60).map { n in
            call(
                "code-agent", parent: n == 0 ? "dev" : "code-agent", at: Int64(n) * 8, .text, prompt: n % 3,
                output: n % 3)
        }
        #expect(firing(.agentLoop, events).count == 1)
        #expect(firing(.repetitivePrompts, events).isEmpty)
    }

    /// An agent started by something that is not one of the person's agents (a scheduler) repeating itself
    /// is still repetitive.
    @Test func aScheduledAgentRepeatingOnePromptIsStillRepetitive() {
        let events = (0..<20).map { n in
            call("digest", parent: "scheduler", at: Int64(n) * 120, .text, prompt: 1, output: n)
        }
        #expect(firing(.repetitivePrompts, events).count == 1)
    }

    @Test func anAgentFedItsOwnOutputByAHashOnlyPublisherIsALoop() {
        let events = (0..<25).map { n in
            var e = call("summarizer", parent: "dev", at: Int64(n) * 20, .hashes, prompt: 0, output: n + 1)
            e.promptHash = n == 0 ? "start" : "o\(n)"
            return e
        }
        let alerts = firing(.agentLoop, events)
        #expect(alerts.count == 1)
        #expect(alerts.first?.summary.contains("outputs fed back unchanged") == true)
    }

    // MARK: offhours_burst

    /// 22:00–23:00 local: a call every 20 s with 30 000 tokens, 5.4 M tokens in all, against a new user's
    /// prior of 100 000 tokens/h (nobody else known).
    func night(_ content: Content, distinctPrompts: Int) -> [TokenEvent] {
        (0..<180).map { n in
            call(
                nil, parent: nil, at: Int64(n) * 20, content, prompt: n % distinctPrompts, output: n % distinctPrompts,
                tokens: 30_000, hour: 22)
        }
    }

    @Test(arguments: [Content.text, .hashes])
    func aLateSessionOfDiverseWorkIsSilent(content: Content) {
        #expect(firing(.offHoursBurst, night(content, distinctPrompts: 180)).isEmpty)
    }

    @Test(arguments: [Content.text, .hashes])
    func aNightOfTheSameFewRequestsIsABurst(content: Content) {
        let alerts = firing(.offHoursBurst, night(content, distinctPrompts: 4))
        #expect(alerts.count == 1)
        // The limit is max(500 000, 5 × 100 000): the 17th call's 510 000 tokens pass it, 4 of 17 calls new.
        #expect(alerts.first?.time == monday.adding(minutes: 22 * 60).adding(seconds: 16 * 20))
        #expect(alerts.first?.summary.contains("new content in 4 of 17 calls") == true)
    }

    /// Progress is weighted by tokens: a status agent repeating its question every 15 minutes (600 tokens, 3
    /// repeats) beside an evening of steering whose context grew twice before it stayed at 200 000 tokens
    /// (2 new calls of 196 000 and 200 000 tokens, the rest unknown) is 396 600 new tokens of 398 400 judged
    /// (with the status agent's first question), not 3 new calls of 6.
    @Test func aStatusAgentRepeatingItselfDoesNotMakeAnEveningOfWorkBusywork() {
        var events = (0..<4).map { n in
            event(
                "ana", at: monday.adding(minutes: 21 * 60 + Int64(n) * 15), tokens: 600,
                prompt: "check the nightly build and deployment status for the team", id: "st\(n)", agent: "status",
                parent: "scheduler")
        }
        events += (0..<40).map { n in
            event(
                "ana", at: monday.adding(minutes: 21 * 60 + 1).adding(seconds: Int64(n) * 20),
                tokens: [192_000, 196_000][min(n, 1)] + (n >= 2 ? 4_000 : 0), prompt: "continue", id: "c\(n)",
                agent: "code-agent", parent: "ana")
        }
        #expect(firing(.offHoursBurst, events).isEmpty)
    }

    @Test func aNewcomersPriorIsTheirTeamsHeavyNormal() {
        // Three teammates, each with nine work hours at 1.2 M tokens/h of their own calls: their heavy normal
        // (third busiest hour) is 1.2 M, the team's median too. The newcomer's limit is 5 × 1.2 M = 6 M, above
        // the 5.4 M of the night; without the team they would be judged against the default 100 000/h.
        var events = night(.text, distinctPrompts: 4).map {
            var e = $0
            e.user = "newcomer"
            e.time = e.time + .seconds(86_400)
            return e
        }
        let alone = firing(.offHoursBurst, events)
        #expect(alone.count == 1)
        for mate in ["amy", "bo", "cy"] {
            for minute in 0..<(9 * 60) {
                events.append(
                    call(
                        nil, parent: nil, user: mate, at: Int64(minute) * 60, .hashes, prompt: minute, output: minute,
                        tokens: 20_000, hour: 8))
            }
        }
        #expect(firing(.offHoursBurst, events).isEmpty)
    }

    // MARK: trivial_flood

    /// "continue" every 10 s for ten minutes: 60 calls.
    func confirmations(tokens: Int64, newAnswers: Bool) -> [TokenEvent] {
        (0..<60).map { n in
            var e = event(
                "dev", at: monday.adding(minutes: 20 * 60).adding(seconds: Int64(n) * 10), tokens: tokens,
                prompt: "continue", agent: "code-agent", parent: "dev", outputHash: newAnswers ? "a\(n)" : "a\(n % 2)")
            e.id = "c\(n)"
            return e
        }
    }

    @Test func steeringAnAgentWithAContextIsNotAFlood() {
        #expect(firing(.trivialFlood, confirmations(tokens: 30_000, newAnswers: true)).isEmpty)
    }

    /// A person steering an agent, a "continue" every 10 s for 20 minutes, 2 000 input tokens more each time
    /// and no `output_hash` published: 120 calls from 31 000 to 269 000 tokens, 18 M in all, far above a
    /// newcomer's limit of 500 000, and 60 confirmations in ten minutes, above the flood's 40; the session
    /// moves on, so neither a burst nor a flood. The same confirmations resending one 150 000-token context
    /// are judged by volume alone, and are a burst.
    @Test func steeringAnAgentWithoutPublishedAnswersIsJudgedByItsGrowingContext() {
        func evening(_ tokens: (Int) -> Int64) -> [TokenEvent] {
            (0..<120).map { n in
                var e = event(
                    "eve", at: monday.adding(minutes: 20 * 60).adding(seconds: Int64(n) * 10), tokens: tokens(n),
                    prompt: "continue", agent: "code-agent", parent: "eve")
                e.id = "s\(n)"
                return e
            }
        }
        let growing = evening { 31_000 + 2_000 * Int64($0) }
        #expect(firing(.offHoursBurst, growing).isEmpty)
        #expect(firing(.trivialFlood, growing).isEmpty)
        let resent = evening { _ in 150_000 }
        #expect(firing(.offHoursBurst, resent).count == 1)
        #expect(firing(.trivialFlood, resent).count == 1)
    }

    @Test func confirmationsWithoutAContextOrWithoutProgressAreAFlood() {
        #expect(firing(.trivialFlood, confirmations(tokens: 8, newAnswers: true)).count == 1)
        #expect(firing(.trivialFlood, confirmations(tokens: 30_000, newAnswers: false)).count == 1)
    }

    // MARK: context_padding

    /// The same 50 000-token context every 10 minutes, as text or as one hash.
    func pasted(_ content: Content, times: Int) -> [TokenEvent] {
        (0..<times).map { n in
            call(nil, parent: nil, at: Int64(n) * 600, content, prompt: 7, output: n, tokens: 50_000, hour: 9)
        }
    }

    @Test(arguments: [Content.text, .hashes])
    func theSameLargeContextResentIsPadding(content: Content) {
        let alerts = firing(.contextPadding, pasted(content, times: 7))
        #expect(alerts.count == 1)
        // The first call is new; the 6th is the 5th resend: 5 × 50 000 = 250 000 ≥ 200 000. The person is
        // followed from the first resend, so all 250 000 input tokens counted are padding.
        #expect(alerts.first?.time == monday.adding(minutes: 9 * 60 + 50))
        #expect(alerts.first?.observed.first { $0.0 == "padded_share" }?.1 == .number(1.0))
        #expect(firing(.contextPadding, pasted(content, times: 5)).isEmpty)
    }

    @Test func aCodingSessionWithAFewRetriesIsNotPadding() {
        // 200 steps of 100 000 tokens, one in ten a retry of the step before: 10% of the input resent.
        let events = (0..<200).map { n in
            call(
                "code-agent", parent: "code-agent", at: Int64(n) * 15, .text, prompt: n % 10 == 9 ? n - 1 : n,
                output: n, tokens: 100_000)
        }
        #expect(firing(.contextPadding, events).isEmpty)
    }

    @Test func largeCallsWithoutContentAreNeverPadding() {
        let events = (0..<20).map { n in
            event("dev", at: monday.adding(minutes: Int64(n) * 3), tokens: 80_000, id: "u\(n)")
        }
        #expect(firing(.contextPadding, events).isEmpty)
    }
}
