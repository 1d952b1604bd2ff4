import Testing

@testable import TokenWatchCore

/// Made-up words for prompts that share nothing with each other: `text(n)` is new for every `n` (numbers would
/// not do, they normalise to one placeholder).
func text(_ n: Int, words: Int = 12) -> String {
    let syllables = ["ka", "lo", "mi", "ne", "ru", "sa", "ti", "vo", "be", "du", "fe", "go"]
    var state = UInt64(n) &* 0x9E37_79B9_7F4A_7C15 &+ 1
    return (0..<words).map { _ in
        (0..<3).map { _ in
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return syllables[Int(state >> 60) % syllables.count]
        }.joined()
    }.joined(separator: " ")
}

@Suite("Progress: is a call new in its stream?")
struct ProgressTests {
    var tracker = ProgressTracker()

    mutating func verdict(
        _ user: String = "ann", agent: String? = "code-agent", at minute: Int64, prompt: String? = nil,
        promptHash: String? = nil, output: String? = nil, tokens: Int64 = 100
    ) -> CallNovelty {
        let e = event(
            user, at: monday.adding(minutes: minute), tokens: tokens, prompt: prompt, agent: agent,
            promptHash: promptHash, outputHash: output)
        return tracker.observe(e, arrivedAt: e.time).novelty
    }

    @Test mutating func newTextIsNewAndTheSameTextAgainIsARepeat() {
        #expect(verdict(at: 0, prompt: text(1)) == .new)
        #expect(verdict(at: 1, prompt: text(2)) == .new)
        #expect(verdict(at: 2, prompt: text(1).uppercased() + "!") == .repeated)
    }

    @Test mutating func aRewordedPromptIsANearRepeat() {
        let words = text(3).split(separator: " ")
        #expect(verdict(at: 0, prompt: words.joined(separator: " ")) == .new)
        // The last of twelve words replaced: 21 of the 25 words and pairs in either are shared (Jaccard 0.84).
        #expect(verdict(at: 1, prompt: (words.dropLast() + ["zzz"]).joined(separator: " ")) == .nearRepeat)
    }

    @Test mutating func hashOnlyPublishersRepeatAndFeedBackExactly() {
        #expect(verdict(at: 0, promptHash: "p1", output: "o1") == .new)
        #expect(verdict(at: 1, promptHash: "p2", output: "o2") == .new)
        #expect(verdict(at: 2, promptHash: "p1", output: "o3") == .repeated)
        #expect(verdict(at: 3, promptHash: "o3", output: "o4") == .fedBack)
    }

    @Test mutating func aConfirmationIsJudgedByItsAnswer() {
        #expect(verdict(at: 0, prompt: "continue", output: "a1") == .new)
        #expect(verdict(at: 1, prompt: "continue", output: "a2") == .new)
        #expect(verdict(at: 2, prompt: "go on", output: "a1") == .outputRepeated)
        #expect(verdict(at: 3, prompt: "continue") == .unknown)
        #expect(verdict(at: 4) == .unknown)
    }

    /// Without an answer to judge by, a "continue" makes progress when the session's context grew: an agent's
    /// context grows as it works, padding resends the same one.
    @Test mutating func aConfirmationWithoutAnAnswerIsNewWhenItsContextGrew() {
        #expect(verdict(at: 0, prompt: "continue", tokens: 30_000) == .unknown)  // nothing before it
        #expect(verdict(at: 1, prompt: "continue", tokens: 31_500) == .new)
        #expect(verdict(at: 2, prompt: "continue", tokens: 31_500) == .unknown)  // the same context again
        #expect(verdict(at: 3, prompt: "go on", tokens: 29_000) == .unknown)
        #expect(verdict(at: 4, prompt: "ok", tokens: 1_800) == .unknown)  // too small to be a session's context
    }

    @Test mutating func streamsAreAPersonsOwnCallsOrOneAgentOfTheirs() {
        #expect(verdict("ann", agent: "code-agent", at: 0, prompt: text(4), output: "x") == .new)
        // Another person's agent of the same name, the person themselves, and another agent of theirs: all new.
        #expect(verdict("bob", agent: "code-agent", at: 1, prompt: text(4)) == .new)
        #expect(verdict("ann", agent: nil, at: 2, prompt: text(4)) == .new)
        // A crew hands one agent's output to the next: that is not feeding an agent its own output.
        #expect(verdict("ann", agent: "reviewer", at: 3, promptHash: "x") == .new)
    }

    @Test mutating func anHourLaterTheSameTextIsNewAgain() {
        #expect(verdict(at: 0, prompt: text(5)) == .new)
        #expect(verdict(at: 59, prompt: text(5)) == .repeated)
        #expect(verdict(at: 121, prompt: text(5)) == .new)
    }

    @Test mutating func aLoopLongerThanTheMemoryLooksNew() {
        // Sixteen prompts are remembered: a cycle of seventeen texts is new every time.
        for n in 0..<17 { #expect(verdict(at: Int64(n), prompt: text(100 + n)) == .new) }
        #expect(verdict(at: 17, prompt: text(100)) == .new)
        #expect(verdict(at: 18, prompt: text(116)) == .repeated)
    }
}
