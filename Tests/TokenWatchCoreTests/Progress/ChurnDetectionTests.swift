import Testing

@testable import TokenWatchCore

/// Both sides of each rule the accumulation judgement draws, through the engine with the shipped defaults:
/// busywork whose text is new every time still fires; honest work whose results repeat stays quiet.
@Suite("Churn with new text, and progress with repeated text")
struct ChurnDetectionTests {
    func firing(_ detector: DetectorName, _ events: [TokenEvent], configuration: TokenWatchConfiguration = .init())
        -> [Alert]
    {
        firstFirings(detector, events, configuration: configuration)
    }

    func call(
        _ agent: String?, parent: String?, user: String = "dev", at seconds: Int64, prompt: String? = nil,
        hash: String? = nil, output: String? = nil, tokens: Int64, from start: EventTime = monday.adding(minutes: 600)
    ) -> TokenEvent {
        event(
            user, at: start.adding(seconds: seconds), tokens: tokens, prompt: prompt, id: "\(user)-\(seconds)",
            agent: agent, parent: parent, promptHash: hash, outputHash: output)
    }

    // MARK: agent_loop

    @Test func agentsTradingUnrelatedTextsWithoutCarryingAnythingOnAreALoop() {
        let members = ["mailer", "responder"]
        let events = (0..<60).map { n in
            call(
                members[n % 2], parent: n == 0 ? "dev" : members[(n + 1) % 2], at: Int64(n) * 5,
                prompt: text(700 + n), output: "o\(n)", tokens: n % 2 == 0 ? 4000 : 6000)
        }
        let alerts = firing(.agentLoop, events)
        #expect(alerts.count == 1)
        #expect(alerts.first?.summary.contains("context grew in 0 of") == true)
    }

    @Test func aCrewWhoseContextsGrowIsNotALoop() {
        let members = ["planner", "coder", "reviewer"]
        let events = (0..<240).map { n in
            call(
                members[n % 3], parent: n == 0 ? "dev" : members[(n + 2) % 3], at: Int64(n) * 8,
                prompt: text(800 + n), output: "o\(n)", tokens: 10_000 + Int64(n / 3) * 700)
        }
        #expect(firing(.agentLoop, events).isEmpty)
    }

    @Test func anInboxReTriagedEveryMinuteForAnHourIsASlowLoop() {
        let request = "Triage the inbox label each thread set its priority and draft the replies"
        // Every 60 s: 10 iterations in any 10 minutes (below the fast rule's 20), 20 within the hour.
        let events = (0..<40).map { (n: Int) -> TokenEvent in
            let prompt: String = (n % 2 == 0 ? "Again: " : "") + request
            let tokens: Int64 = 6000 + Int64(n % 3)
            return call(
                "inbox-agent", parent: n == 0 ? "dev" : "inbox-agent", at: Int64(n) * 60, prompt: prompt,
                output: "o\(n)", tokens: tokens)
        }
        let alerts = firing(.agentLoop, events)
        #expect(alerts.count == 1)
        #expect(alerts.first?.observed.first { $0.0 == "window_seconds" }?.1 == .integer(3600))
        // The 21st call is the 20th self-trigger, 20 minutes in.
        #expect(alerts.first?.time == monday.adding(minutes: 600 + 20))
        var fastOnly = TokenWatchConfiguration()
        fastOnly.detectors.agentLoop.slowMinIterations = 0
        #expect(firing(.agentLoop, events, configuration: fastOnly).isEmpty)
    }

    @Test func aRunawayGettingTheSameRefusalBackFiresInsideAccumulatingWork() {
        let refusal = "This command requires approval ask the user to approve it before running it again"
        var events = (0..<120).map { n in
            call(
                "code-agent", parent: n == 0 ? "dev" : "code-agent", at: Int64(n) * 8, prompt: text(900 + n),
                output: "o\(n)", tokens: 40_000 + Int64(n) * 600)
        }
        #expect(firing(.agentLoop, events).isEmpty)
        for n in 0..<50 {
            events.append(
                call(
                    "code-agent", parent: "code-agent", at: 960 + Int64(n) * 4, prompt: refusal, output: "r\(n)",
                    tokens: 112_000 + Int64(n) * 150))
        }
        let alerts = firing(.agentLoop, events)
        #expect(alerts.count == 1)
        #expect(alerts.first?.summary.contains("the same result came back") == true)
    }

    @Test func aPlanHandedBackBetweenNewToolResultsIsNotALoop() {
        // Hash-only: every other prompt is the agent's own previous answer (its plan), the context growing.
        let events = (0..<80).map { (n: Int) -> TokenEvent in
            let prompt: String = n % 2 == 1 ? "o\(n - 1)" : "tool\(n)"
            let tokens: Int64 = 30_000 + Int64(n) * 800
            return call(
                "code-agent", parent: n == 0 ? "dev" : "code-agent", at: Int64(n) * 6, hash: prompt, output: "o\(n)",
                tokens: tokens)
        }
        #expect(firing(.agentLoop, events).isEmpty)
    }

    // MARK: offhours_burst

    /// 300 one-shot calls of about 10 000 tokens between 02:00 and 03:15 UTC, 15 s apart, new text each time.
    func nightOneShots(agent: String? = nil, tokens: (Int) -> Int64) -> [TokenEvent] {
        (0..<300).map { n in
            call(
                agent, parent: agent == nil ? nil : "dev", at: Int64(n) * 15, prompt: text(1000 + n), output: "a\(n)",
                tokens: tokens(n), from: monday.adding(minutes: 120))
        }
    }

    @Test func variedOneShotsAtMachineRateAtNightAreABurst() {
        // Sizes that wander around one level: never three growths in a row.
        let alerts = firing(.offHoursBurst, nightOneShots(tokens: { [10_000, 10_400, 9800, 10_300, 9900][$0 % 5] }))
        #expect(alerts.count == 1)
        #expect(alerts.first?.severity == .critical)
        // It fires at the 50th call (504 000 tokens). The first (a new question with nothing before it) made
        // progress; the 19 whose size dropped after the third (9 calls of 9 800 tokens, 10 of 9 900) were
        // linked to nothing (the third started a second trail); the rises are too short to tell. 10 000 of
        // 197 200 judged tokens: 5% progress, 95% churn.
        #expect(alerts.first?.summary.contains("95% of its tokens churn: progress in 1 of 20 judged calls") == true)
        // The behaviour before accumulation was judged, for an operator who wants it.
        var textIsProgress = TokenWatchConfiguration()
        textIsProgress.detectors.offHoursBurst.countNewTextAsProgress = true
        #expect(firing(.offHoursBurst, nightOneShots(tokens: { _ in 10_000 }), configuration: textIsProgress).isEmpty)
    }

    @Test func anIncidentWorkedInOneGrowingConversationIsNotABurst() {
        #expect(firing(.offHoursBurst, nightOneShots(agent: "sre-agent", tokens: { 8000 + Int64($0) * 400 })).isEmpty)
    }

    // MARK: repetitive_prompts

    /// "ok, now add error handling" ten times in an hour: as follow-ups in one conversation whose context
    /// grows, they are work; sent afresh with the same small context each time, a repeat.
    @Test func aFollowUpRepeatedInAGrowingConversationIsNotARepeat() {
        let followUp = "ok now add error handling to that function"
        func conversation(growing: Bool) -> [TokenEvent] {
            (0..<30).map { (n: Int) -> TokenEvent in
                let prompt: String = n % 3 == 0 ? followUp : text(1300 + n)
                let tokens: Int64 = growing ? 1200 + Int64(n) * 400 : 1200 + Int64(n % 2) * 300
                return call(nil, parent: nil, at: Int64(n) * 110, prompt: prompt, output: "o\(n)", tokens: tokens)
            }
        }
        #expect(firing(.repetitivePrompts, conversation(growing: true)).isEmpty)
        #expect(firing(.repetitivePrompts, conversation(growing: false)).count == 1)
    }

    // MARK: context_padding

    @Test func theSameContextPastedAgainAndAgainIsPadding() {
        let pasted = text(1100, words: 40)
        let events = (0..<8).map { n in
            call(nil, parent: nil, at: Int64(n) * 600, prompt: pasted, tokens: 52_000 + Int64(n % 3) * 7)
        }
        #expect(firing(.contextPadding, events).count == 1)
    }

    @Test func aGrowingSessionWhoseResultsRepeatIsNotPadding() {
        let boilerplate = "The file has been updated here is the result of running the test suite again"
        let events = (0..<200).map { n in
            call(
                "code-agent", parent: n == 0 ? "dev" : "code-agent", at: Int64(n) * 10,
                prompt: n % 2 == 0 ? boilerplate : text(1200 + n), output: "o\(n)", tokens: 40_000 + Int64(n) * 500)
        }
        #expect(firing(.contextPadding, events).isEmpty)
        #expect(firing(.agentLoop, events).isEmpty)
    }
}
