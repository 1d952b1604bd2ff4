/// How one stream's context moved from its previous call to this one, judged from `input_tokens` alone.
///
/// Work that builds on itself carries what came before: an agent's next call holds the last call's context
/// plus what the last step added (its answer, a new tool result), so the input grows from step to step until a
/// compaction shrinks it. Churn does not: the same context resent has the same size, and one-shot calls at
/// machine rate, or a template with a random slot, have sizes that wander up and down around one level.
///
/// One growth proves little (a wandering size rises half the time), so a context counts as accumulating
/// only once it has grown ``establishedRun`` times in a row; a compaction of an established context keeps its
/// run (the session goes on, smaller). One trail per session is enough: a sub-agent that starts small inside
/// a session reads as a compaction, and when the main context resumes, its run starts again. Measured on the
/// published sessions in `../shared/realdata/`, 95–97% of their agent steps read as accumulating; sizes drawn
/// independently at random read so 0–4% of the time, a constant size never. ``ContextTrails`` keeps one per
/// session of a stream.
struct ContextTrail: Sendable, Equatable, Codable {
    /// What this call's input says about the stream's context.
    enum Change: UInt8, Sendable {
        /// No usable history: the stream's first call within the window, or an input too small to judge.
        case first
        /// Larger than the last call's, by a plausible step.
        case grew
        /// An established context cut back to under ``compactionRatio`` of its size.
        case compacted
        /// The same size as the last call's (within ``resentTolerance`` tokens).
        case resent
        /// Smaller, or larger by more than one step plausibly adds: not the same context carried on.
        case unlinked
    }

    /// Growths in a row before a context counts as accumulating.
    static let establishedRun: UInt8 = 3
    /// Sizes this close are the same context resent (tokenizers and gateways round a little).
    static let resentTolerance: Int64 = 8
    /// Inputs below this are a bare prompt, not a context worth judging.
    static let minimumContext: Int64 = 256
    /// An established context cut below this share of its size was compacted, not replaced.
    static let compactionRatio = 0.7

    /// The ``SubjectHash`` of the session the trail follows, 0 for calls without one.
    private(set) var session: UInt64 = 0
    private(set) var lastInput: Int64 = 0
    private(set) var lastTime: Int64 = .min
    private(set) var run: UInt8 = 0

    /// How `input` would read on this trail: resent, a plausible growth, or neither.
    func fits(_ input: Int64) -> (resent: Bool, grows: Bool) {
        let delta = input - lastInput
        return (abs(delta) <= Self.resentTolerance, delta > 0 && delta <= Self.largestStep(after: lastInput))
    }

    /// Whether `input` would be a compaction of this trail's established context.
    func compacts(_ input: Int64) -> Bool {
        run >= Self.establishedRun && input >= Self.minimumContext
            && Double(input) < Self.compactionRatio * Double(lastInput)
    }

    /// A step adds an answer and a tool result: up to half the context, or a large file read.
    static func largestStep(after input: Int64) -> Int64 { max(input / 2, 32_000) }

    /// Judges a call's input against the stream's previous one (`hasHistory`: within the window), then
    /// remembers it. Returns the change and whether the context is accumulating.
    mutating func observe(input: Int64, at time: Int64, hasHistory: Bool) -> (change: Change, accumulating: Bool) {
        let previous = lastInput
        let fit = fits(input)
        let compaction = compacts(input)
        lastInput = input
        lastTime = max(lastTime, time)
        guard hasHistory, input >= Self.minimumContext, previous >= Self.minimumContext else {
            run = 0
            return (.first, false)
        }
        if fit.resent {
            run = 0
            return (.resent, false)
        }
        if fit.grows {
            run = run == .max ? run : run + 1
            return (.grew, run >= Self.establishedRun)
        }
        if compaction { return (.compacted, true) }
        run = 0
        return (.unlinked, false)
    }
}
