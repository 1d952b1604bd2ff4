import Testing

@testable import TokenWatchCore

/// Both sides of every line the progress measure draws, through the engine with the shipped defaults: honest
/// agentic work stays quiet however much of it there is, the busywork shape beside it fires. With text and
/// with hash-only events.
@Suite("Agentic work and the busywork among it")
struct AgenticPrecisionTests {
    enum Content { case text, hashes }

    func firing(_ detector: DetectorName, _ events: [TokenEvent], configuration: TokenWatchConfiguration = .init())
        -> [Alert]
    {
        firstFirings(detector, events, configuration: configuration)
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

    /// A coding agent triggering itself every 8 s for an hour (450 calls), each step new, its context growing
    /// by 1 000 tokens a step from 30 000 and compacted back to 30 000 every 150 steps.
    @Test(arguments: [Content.text, .hashes])
    func aCodingAgentWorkingThroughHundredsOfStepsIsNotALoop(content: Content) {
        let events = (0..<450).map { n in
            call(
                "code-agent", parent: n == 0 ? "dev" : "code-agent", at: Int64(n) * 8, content, prompt: n, output: n,
                tokens: 30_000 + Int64(n % 150) * 1000)
        }
        #expect(firing(.agentLoop, events).isEmpty)
    }

    /// The same agent returning to the same three steps with the same 60 000-token context: 40 iterations.
    @Test(arguments: [Content.text, .hashes])
    func aCodingAgentCyclingThroughThreeStepsIsALoop(content: Content) {
        let events = (0..<40).map { n in
            call(
                "code-agent", parent: n == 0 ? "dev" : "code-agent", at: Int64(n) * 8, content, prompt: n % 3,
                output: n % 3)
        }
        let alerts = firing(.agentLoop, events)
        #expect(alerts.count == 1)
        // The first call comes from the person; the 21st is the 20th self-trigger. Every iteration resent the
        // same context; from the thirteenth call on, twelve remembered prompts of three texts go round (at most
        // a quarter distinct), so steps 12 to 20 (9) are the same result back and steps 1 to 11 the same
        // context resent.
        #expect(alerts.first?.summary.contains("context grew in 0 of 20 iterations") == true)
        #expect(alerts.first?.summary.contains("the same result came back 9 times, the same context resent 11") == true)
        #expect(alerts.first?.observed.first { $0.0 == "progress_share" }?.1 == .number(0))
    }

    /// planner → coder → reviewer → planner for an hour, every step new (hash-only crews hand each output on),
    /// each member's context growing by 1 500 tokens a round.
    @Test(arguments: [Content.text, .hashes])
    func aCrewMakingProgressIsNotALoop(content: Content) {
        let members = ["planner", "coder", "reviewer"]
        var events: [TokenEvent] = []
        for n in 0..<300 {
            var e = call(
                members[n % 3], parent: n == 0 ? "dev" : members[(n + 2) % 3], at: Int64(n) * 12, content, prompt: n,
                output: n, tokens: 20_000 + Int64(n / 3) * 1500)
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
        // Each prompt is the previous answer, sent with the same 60 000-token context: nothing carried on.
        #expect(alerts.first?.summary.contains("was fed its own output 20 times") == true)
        #expect(alerts.first?.summary.contains("context grew in 0 of 20 iterations") == true)
    }

    // MARK: offhours_burst

    /// 22:00–23:00 local: a call every `every` seconds with about 30 000 tokens (`tokens(n)`, default exactly
    /// that), 5.4 M tokens in all at 20 s, against a new user's prior of 100 000 tokens/h (nobody else known).
    func night(
        _ content: Content, distinctPrompts: Int, every: Int64 = 20, tokens: (Int) -> Int64 = { _ in 30_000 }
    ) -> [TokenEvent] {
        (0..<180).map { n in
            call(
                nil, parent: nil, at: Int64(n) * every, content, prompt: n % distinctPrompts,
                output: n % distinctPrompts, tokens: tokens(n), hour: 22)
        }
    }

    /// Sizes that wander around 30 000: never three growths in a row, never the same twice running.
    static func wandering(_ n: Int) -> Int64 { 30_000 + [0, 400, -200, 300, -100][n % 5] }

    /// Diverse work that builds on itself (one conversation whose context grows 800 tokens a call), or new
    /// questions at a person's pace (every 90 s): heavy, and silent.
    @Test(arguments: [Content.text, .hashes])
    func aLateSessionOfDiverseWorkIsSilent(content: Content) {
        let growing = night(content, distinctPrompts: 180, tokens: { 30_000 + Int64($0) * 800 })
        #expect(firing(.offHoursBurst, growing).isEmpty)
        let personPaced = night(content, distinctPrompts: 180, every: 90, tokens: Self.wandering(_:))
        #expect(firing(.offHoursBurst, personPaced).isEmpty)
    }

    /// The same diverse texts, one-shots every 15 s (faster than anyone reads and types) with nothing linking
    /// them: novel text is not progress.
    @Test(arguments: [Content.text, .hashes])
    func variedOneShotsEveryFifteenSecondsAreABurst(content: Content) {
        let oneShots = night(content, distinctPrompts: 180, every: 15, tokens: Self.wandering(_:))
        #expect(firing(.offHoursBurst, oneShots).count == 1)
    }

    @Test(arguments: [Content.text, .hashes])
    func aNightOfTheSameFewRequestsIsABurst(content: Content) {
        let alerts = firing(.offHoursBurst, night(content, distinctPrompts: 4))
        #expect(alerts.count == 1)
        // The limit is max(500 000, 5 × 100 000): the 17th call's 510 000 tokens pass it. Only the first call
        // (a new question, with nothing before it) made progress: 30 000 of 510 000 tokens, 6%.
        #expect(alerts.first?.time == monday.adding(minutes: 22 * 60).adding(seconds: 16 * 20))
        #expect(alerts.first?.summary.contains("94% of its tokens churn: progress in 1 of 17 judged calls") == true)
    }

    /// Progress is weighted by tokens: a status agent repeating its question every 15 minutes (600 tokens, 3
    /// repeats, 1 800 tokens of churn) beside an evening of steering whose context grows 4 000 tokens a call
    /// from 40 000 is a few thousand tokens of churn among millions that build on each other.
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
                tokens: 40_000 + Int64(n) * 4000, prompt: "continue", id: "c\(n)",
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
                        tokens: Self.wandering(minute) - 10_000, hour: 8))
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
