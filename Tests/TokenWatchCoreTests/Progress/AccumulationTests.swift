import Testing

@testable import TokenWatchCore

/// Progress is work that builds on itself: the context trail (`input_tokens` call after call), the rule that
/// turns a stream's evidence into a judgement, and the judgement of whole streams of calls.
@Suite("Progress: does a call build on what came before?")
struct AccumulationTests {
    func trail(_ inputs: [Int64]) -> [(ContextTrail.Change, Bool)] {
        var trail = ContextTrail()
        return inputs.enumerated().map { index, input in
            let outcome = trail.observe(input: input, at: Int64(index) * 1000, hasHistory: index > 0)
            return (outcome.change, outcome.accumulating)
        }
    }

    @Test func aContextMustGrowThreeTimesInARowToAccumulate() {
        let outcome = trail([10_000, 11_000, 12_000, 13_000, 13_005, 14_000])
        #expect(outcome.map(\.0) == [.first, .grew, .grew, .grew, .resent, .grew])
        // The third growth in a row establishes it; the same size again starts the count over.
        #expect(outcome.map(\.1) == [false, false, false, true, false, false])
    }

    @Test func aCompactionKeepsAnEstablishedSessionGoing() {
        // 13 000 → 5 000 is under 70% of the size: a compaction of an established context, which carries on.
        let outcome = trail([10_000, 11_000, 12_000, 13_000, 5000, 6000])
        #expect(outcome.map(\.0) == [.first, .grew, .grew, .grew, .compacted, .grew])
        #expect(outcome.map(\.1) == [false, false, false, true, true, true])
        // Not established yet: the same drop is a new context, not a compaction.
        #expect(trail([10_000, 11_000, 5000]).map(\.0) == [.first, .grew, .unlinked])
    }

    @Test func sizesThatWanderAroundOneLevelNeverAccumulate() {
        // Up, down, up, down: never two growths in a row.
        let outcome = trail([10_000, 10_300, 9800, 10_200, 9900, 10_400, 9700, 10_100])
        #expect(outcome.allSatisfy { !$0.1 })
        // A jump far beyond what a step adds (more than half the context and more than 32k) is no growth.
        #expect(trail([10_000, 90_000]).map(\.0) == [.first, .unlinked])
    }

    @Test func twoSessionsWithoutIdsInterleavedAreTwoGrowingContexts() {
        var trails = ContextTrails()
        var accumulating: [Bool] = []
        for step in 0..<6 {
            for base: Int64 in [20_000, 80_000] {
                let input = base + Int64(step) * 1500
                accumulating.append(
                    trails.observe(input: input, session: 0, at: Int64(accumulating.count) * 1000, since: 0)
                        .accumulating)
            }
        }
        // Each trail's fourth call (its third growth) is the first to accumulate: calls 7 and 8 of the twelve.
        #expect(accumulating == [false, false, false, false, false, false, true, true, true, true, true, true])
        #expect(trails.trails.count == 2)
    }

    @Test func aNamedSessionKeepsItsOwnTrailWhateverElseRuns() {
        var trails = ContextTrails()
        var last = (ContextTrail.Change.first, false)
        for step in 0..<4 {
            _ = trails.observe(input: 5000 + Int64(step), session: 0, at: Int64(step) * 10, since: 0)
            last = trails.observe(input: 50_000 + Int64(step) * 2000, session: 42, at: Int64(step) * 10 + 5, since: 0)
        }
        #expect(last == (.grew, true))
    }

    @Test func theRuleJudgesAccumulationBeforeContent() {
        func reason(
            _ novelty: CallNovelty, _ context: ContextTrail.Change, accumulating: Bool = false,
            sameResult: Bool = false, paced: Bool = false
        ) -> ProgressReason {
            ProgressReason.of(
                StreamEvidence(
                    novelty: novelty, context: context, accumulating: accumulating, sameResult: sameResult,
                    personPaced: paced))
        }
        #expect(reason(.repeated, .grew, accumulating: true) == .contextGrew)  // boilerplate inside real work
        #expect(reason(.fedBack, .grew, accumulating: true) == .contextGrew)  // a plan handed back
        #expect(reason(.repeated, .grew, accumulating: true, sameResult: true) == .sameResult)
        #expect(reason(.new, .compacted, accumulating: true) == .contextCompacted)
        #expect(reason(.new, .resent) == .contextResent)  // a template's new slot in the same context
        #expect(reason(.new, .unlinked, paced: true) == .newAtPersonPace)
        #expect(reason(.new, .unlinked) == .unlinked)
        #expect(reason(.new, .grew) == .unknown)  // one growth proves nothing yet, either way
        #expect(reason(.new, .first) == .unknown)
        #expect(reason(.nearRepeat, .first) == .repeated)
        #expect(reason(.unknown, .first) == .unknown)
        #expect(ProgressReason.allCases.filter { $0.judgement == .progress }.count == 3)
    }
}

/// Whole streams through the progress measure.
@Suite("Progress: streams of calls")
struct StreamJudgementTests {
    var tracker = ProgressTracker()

    mutating func reasons(
        agent: String?, parent: String?, every seconds: Int64, prompts: [String], tokens: (Int) -> Int64
    ) -> [ProgressReason] {
        prompts.enumerated().map { n, prompt in
            let e = event(
                "ann", at: monday.adding(seconds: Int64(n) * seconds), tokens: tokens(n), prompt: prompt,
                agent: agent, parent: parent)
            return tracker.observe(e, arrivedAt: e.time).reason
        }
    }

    @Test mutating func boilerplateInsideAGrowingSessionIsProgress() {
        let boilerplate = "Todos have been modified successfully ensure that you continue to use the todo list"
        let prompts = (0..<30).map { $0 % 3 == 2 ? boilerplate : text(200 + $0) }
        let judged = reasons(
            agent: "code-agent", parent: "code-agent", every: 6, prompts: prompts, tokens: { 30_000 + Int64($0) * 900 })
        // From the fourth call on, every step carries the context on, the boilerplate ones included.
        #expect(judged.dropFirst(3).allSatisfy { $0 == .contextGrew })
    }

    @Test mutating func theSameResultBackToBackIsChurnHoweverTheContextGrows() {
        let refusal = "This command requires approval ask the user to approve it before running it again"
        let prompts = (0..<10).map { text(300 + $0) } + Array(repeating: refusal, count: 20)
        let judged = reasons(
            agent: "code-agent", parent: "code-agent", every: 4, prompts: prompts, tokens: { 60_000 + Int64($0) * 150 })
        #expect(judged[9] == .contextGrew)
        // The first refusal is new; each one after it is the previous prompt again.
        #expect(judged[10] == .contextGrew)
        #expect(judged.dropFirst(11).allSatisfy { $0 == .sameResult })
    }

    @Test mutating func oneShotsAtMachineRateAreChurnAndAtAPersonsPaceProgress() {
        // Sizes that wander (10 000, 10 400, 9 800, …) and new text each time: nothing links one to the next.
        let wander: (Int) -> Int64 = { [10_000, 10_400, 9800, 10_300, 9900][$0 % 5] }
        let fast = reasons(agent: nil, parent: nil, every: 12, prompts: (0..<20).map { text(400 + $0) }, tokens: wander)
        // Every size that drops (calls 4, 7, 9, …, 19 of 20) is linked to nothing; the first drop (call 2)
        // starts the second trail a stream without sessions may keep, so it has no history; the rises are one
        // or two growths, too few to tell; nothing after the first call is progress.
        #expect(fast.filter { $0 == .unlinked }.count == 7)
        #expect(fast.dropFirst().allSatisfy { $0 == .unlinked || $0 == .unknown })
        var person = StreamJudgementTests()
        let slow = person.reasons(
            agent: nil, parent: nil, every: 90, prompts: (0..<20).map { text(500 + $0) }, tokens: wander)
        #expect(slow.allSatisfy { $0 == .newAtPersonPace })
    }

    @Test mutating func agentsExchangingNewTextAtOneSizeAreChurn() {
        let judged = reasons(
            agent: "mailer", parent: "responder", every: 5, prompts: (0..<20).map { text(600 + $0) },
            tokens: { _ in 4000 })
        #expect(judged.first == .unknown)  // nothing before it, and set off by another agent
        #expect(judged.dropFirst().allSatisfy { $0 == .contextResent })
    }
}
