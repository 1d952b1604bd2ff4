/// One loop's iterations per minute over the longer of its two windows, and what each brought.
///
/// A loop is judged over a short window (fast loops: 20 iterations in 10 minutes) and a long one (slow loops:
/// an inbox re-triaged every minute or two for an hour), so its iterations are kept by minute rather than one
/// by one: a coding agent at a step every five seconds keeps 60 minutes, not 720 times. The long window's sums
/// are kept as it slides; the short one is summed from its few newest minutes when asked.
struct LoopActivity: Sendable {
    /// The iterations of each minute of the longer window, and how they were judged.
    private(set) var window = MinuteWindow<LoopTally>()
    /// The iterations since the last that made progress, all churn (or unknown), and when they began: a
    /// runaway inside honest work is a run of these, however much progress the window held before it.
    private(set) var streak = LoopTally()
    private(set) var streakStart: Int64 = 0
    var evidence = EvidenceRing()

    /// Adds one iteration at `time` (milliseconds), dropping minutes older than `keepMinutes` before it.
    mutating func record(_ progress: CallProgress, id: String?, at time: Int64, keepMinutes: Int64) {
        var call = LoopTally()
        call.add(progress)
        window.add(call, at: time / 60_000, windowMinutes: keepMinutes)
        evidence.record(id)
        if progress.judgement == .progress {
            streak = LoopTally()
        } else {
            if streak.iterations == 0 { streakStart = time }
            streak.add(call)
        }
    }

    /// The sums of the longer window's minutes.
    var total: LoopTally { window.total }
}

/// The checkpoint format: a minute is one object, its counts beside it. A loop kept by an earlier version reads
/// as a loop with no history yet, which the next iterations fill: with its iterations one by one, or with each
/// minute's counts under `tally`.
extension LoopActivity: Codable {
    private enum CodingKeys: String, CodingKey { case minutes, total, streak, streakStart, evidence }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        if let minutes = try? c.decodeIfPresent([MinuteWindow<LoopTally>.Minute].self, forKey: .minutes) {
            window = MinuteWindow(
                minutes: minutes, total: try c.decodeIfPresent(LoopTally.self, forKey: .total) ?? LoopTally())
        }
        streak = try c.decodeIfPresent(LoopTally.self, forKey: .streak) ?? LoopTally()
        streakStart = try c.decodeIfPresent(Int64.self, forKey: .streakStart) ?? 0
        evidence = try c.decodeIfPresent(EvidenceRing.self, forKey: .evidence) ?? EvidenceRing()
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(window.minutes, forKey: .minutes)
        try c.encode(window.total, forKey: .total)
        try c.encode(streak, forKey: .streak)
        try c.encode(streakStart, forKey: .streakStart)
        try c.encode(evidence, forKey: .evidence)
    }
}

/// Counts of a loop's iterations by judgement (see ``ProgressJudgement``), with the reasons its alert names.
struct LoopTally: Sendable, Codable, Equatable, MinuteFigures {
    var iterations: Int32 = 0
    /// Iterations with content or token history to judge by, and those of them that made progress.
    var judged: Int32 = 0
    var progress: Int32 = 0
    /// Iterations whose context grew (or was compacted and carried on).
    var grew: Int32 = 0
    /// Iterations that got the same result back, or went round the same few texts.
    var sameResult: Int32 = 0
    /// Iterations that resent the same context.
    var resent: Int32 = 0
    /// Iterations that repeated, nearly repeated or fed back a text with no context carried on.
    var repeated: Int32 = 0
    /// Iterations of new text that nothing linked (no context carried on), at machine pace.
    var unlinked: Int32 = 0

    mutating func add(_ call: CallProgress) {
        iterations += 1
        let reason = call.reason
        if reason.judgement != .unknown { judged += 1 }
        if reason.judgement == .progress { progress += 1 }
        if reason.accumulated { grew += 1 }
        if reason == .sameResult { sameResult += 1 }
        if reason == .contextResent { resent += 1 }
        if reason == .repeated { repeated += 1 }
        if reason == .unlinked { unlinked += 1 }
    }

    mutating func add(_ other: LoopTally) { combine(other, sign: 1) }
    mutating func subtract(_ other: LoopTally) { combine(other, sign: -1) }

    private mutating func combine(_ other: LoopTally, sign: Int32) {
        iterations += sign * other.iterations
        judged += sign * other.judged
        progress += sign * other.progress
        grew += sign * other.grew
        sameResult += sign * other.sameResult
        resent += sign * other.resent
        repeated += sign * other.repeated
        unlinked += sign * other.unlinked
    }

    /// The share of judged iterations that made progress, to two decimals.
    var progressShare: Double { judged == 0 ? 0 : (Double(progress) / Double(judged) * 100).rounded() / 100 }

    /// What the iterations brought, in the words of an alert: "context grew in 3 of 40 iterations, the same
    /// result came back 36 times".
    var reason: String {
        guard judged > 0 else { return "content and context unknown (judged by shape)" }
        var parts = ["context grew in \(grew) of \(iterations) iterations"]
        let otherProgress = progress - grew
        if otherProgress > 0 { parts.append("\(otherProgress) new at a person's pace") }
        if sameResult > 0 { parts.append("the same result came back \(sameResult) times") }
        if resent > 0 { parts.append("the same context resent \(resent) times") }
        if repeated > 0 { parts.append("\(repeated) repeated texts with nothing carried on") }
        if unlinked > 0 { parts.append("\(unlinked) new texts linked to nothing") }
        return parts.joined(separator: ", ")
    }
}
