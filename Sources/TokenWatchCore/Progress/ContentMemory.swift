/// What one stream of calls asked and answered lately: the last ``capacity`` prompts and outputs of the
/// last ``window``, enough to tell a new call from one that returns to the same texts; the trail of its
/// context's size (``ContextTrail``); and the pace of its calls.
///
/// Prompts are kept as their exact hash and the first ``sketchPrefix`` hashes of their bottom-k sketch (the
/// smallest hashes of a set are a bottom-k sketch of it too, so near-duplicates are estimated from the prefix
/// alone), with a 64-bit signature of those hashes that rules most unrelated pairs out before the merge (see
/// ``SketchSignature``), and the input size they were sent with; outputs as a hash of their `output_hash`. A
/// loop that cycles through more than ``capacity`` different texts within the hour looks new to it: that is a
/// loop of at least 17 steps, which the shape detectors and `repetitive_prompts` still see.
///
/// Laid out for the comparison every call makes: all prompts in one array of fixed-size slots, all outputs in
/// another (two allocations per stream, read in order): at most 1 280 + 256 bytes of slots per stream.
struct ContentMemory: Sendable {
    static let capacity = 16
    static let sketchPrefix = 12
    static let window: Int64 = 3_600_000
    static let similarity = 0.6
    /// Calls closer together than this on average are machine-paced: nobody reads an answer and types a new
    /// question in less, over call after call.
    static let personPaceMilliseconds: Int64 = 30_000
    /// Repeats going round: at least this many prompts in the window, at most a quarter of them distinct (a
    /// loop goes round two or three texts; an agent's tool results repeat some boilerplate among many).
    static let goingRoundPrompts = 8

    /// Per prompt: exact hash, time, signature, sketch size and input size, then the sketch prefix two hashes
    /// per word.
    private static let promptWords = 4 + sketchPrefix / 2
    private var prompts: [UInt64] = []
    private var nextPrompt = 0
    /// Per output: its hash and time.
    private var outputs: [UInt64] = []
    private var nextOutput = 0
    /// The latest call's time, in milliseconds.
    private(set) var lastSeen: Int64 = .min
    /// The size of the stream's contexts, session by session, call after call.
    private var trails = ContextTrails()
    /// The exact hash of the latest prompt remembered, and its time: the same result back-to-back.
    private var lastPrompt: UInt64 = 0
    private var lastPromptTime: Int64 = .min
    /// The smoothed gap between the stream's calls, in milliseconds (0 until a second call).
    private var meanGap: Int64 = 0
    /// A confirmation sent with at least this many input tokens carries a session's context.
    static let contextTokens: Int64 = 2000

    init() {}

    /// What the stream's memory says of one call.
    struct Observation: Sendable, Equatable {
        var novelty: CallNovelty
        var context: ContextTrail.Change
        var accumulating: Bool
        /// The stream's previous prompt again, or a repeat while its recent prompts go round a few texts.
        var sameResult: Bool
        /// The stream's calls come at a person's pace (or this is its first within the window).
        var paced: Bool
        /// A repeated or nearly repeated prompt sent with (nearly) the context it was sent with before.
        var resentAtSameSize: Bool
    }

    /// Judges a call against what the stream did in the last ``window`` before it, then remembers it.
    mutating func observe(
        prompt: PromptFingerprint?, promptHash: String?, outputHash: String?, inputTokens: Int64 = 0,
        session: UInt64 = 0, at time: EventTime
    ) -> Observation {
        let since = time.milliseconds - Self.window
        let hasHistory = lastSeen >= since
        let (change, accumulating) = trails.observe(
            input: inputTokens, session: session, at: time.milliseconds, since: since)
        if hasHistory {
            let gap = max(time.milliseconds - lastSeen, 0)
            meanGap = meanGap == 0 ? max(gap, 1) : (meanGap * 4 + gap) / 5
        } else {
            meanGap = 0
        }
        var observation = Observation(
            novelty: .unknown, context: change, accumulating: accumulating, sameResult: false,
            paced: meanGap == 0 || meanGap >= Self.personPaceMilliseconds, resentAtSameSize: change == .resent)
        // Outputs are kept as a prompt known by the same hash would be fingerprinted, so that an output fed
        // back is found by the prompt's exact hash, without hashing the text again.
        let output = outputHash.map { PromptFingerprint.exact(opaqueHash: $0) }
        let outputRepeats = output.map { containsOutput($0, since: since) }
        let hashedPrompt = prompt.flatMap { $0.wordCount == nil ? $0.exact : nil }
        if let promptHash, containsOutput(hashedPrompt ?? PromptFingerprint.exact(opaqueHash: promptHash), since: since)
        {
            observation.novelty = .fedBack
        } else if let prompt, !prompt.isTrivial {
            let found = prompt.shingles.withUnsafeBufferPointer { match(prompt.exact, $0, since: since) }
            observation.novelty = found.novelty
            if found.novelty != .new {
                observation.sameResult =
                    (lastPrompt == prompt.exact && lastPromptTime >= since) || goesRound(since: since)
                observation.resentAtSameSize =
                    observation.resentAtSameSize || Self.sameSize(inputTokens, found.input)
            }
            remember(prompt, input: inputTokens, at: time)
        } else if let outputRepeats {
            // Nothing asked (no prompt, or a confirmation): the answer tells whether the work moved on.
            observation.novelty = outputRepeats ? .outputRepeated : .new
        } else if prompt != nil, inputTokens >= Self.contextTokens, hasHistory, change == .grew {
            // A confirmation without an answer to judge by, whose session context grew since the stream's last
            // call: an agent moving on ("continue" with 30k tokens behind it). A context resent unchanged
            // stays unknown.
            observation.novelty = .new
        }
        if let output { remember(output: output, at: time) }
        lastSeen = max(lastSeen, time.milliseconds)
        return observation
    }

    /// Within 2% (or the trail's tolerance): a context pasted again, give or take the question asked with it.
    private static func sameSize(_ input: Int64, _ before: Int64?) -> Bool {
        guard let before, input >= ContextTrail.minimumContext else { return false }
        return abs(input - before) <= max(ContextTrail.resentTolerance, max(input, before) / 50)
    }

    /// Whether the prompts of the window go round a few texts: enough of them, at most a quarter distinct.
    private func goesRound(since: Int64) -> Bool {
        // Asked on every repeat, which loops send call after call: the distinct hashes are counted in a buffer
        // on the stack, not an array allocated each time.
        withUnsafeTemporaryAllocation(of: UInt64.self, capacity: Self.capacity) { seen in
            var distinct = 0
            var count = 0
            var start = 0
            while start < prompts.count {
                defer { start += Self.promptWords }
                guard Int64(bitPattern: prompts[start + 1]) >= since else { continue }
                count += 1
                if !seen[..<distinct].contains(prompts[start]) {
                    seen[distinct] = prompts[start]
                    distinct += 1
                }
            }
            return count >= Self.goingRoundPrompts && distinct * 4 <= count
        }
    }

    private func containsOutput(_ hash: UInt64, since: Int64) -> Bool {
        outputs.withUnsafeBufferPointer { outputs in
            var index = 0
            while index < outputs.count {
                if outputs[index] == hash && Int64(bitPattern: outputs[index + 1]) >= since { return true }
                index += 2
            }
            return false
        }
    }

    /// How a prompt relates to the remembered prompts (an exact repeat wins over a near one), and the input
    /// size the matched prompt was sent with.
    private func match(_ exact: UInt64, _ shingles: UnsafeBufferPointer<UInt32>, since: Int64)
        -> (novelty: CallNovelty, input: Int64?)
    {
        let size = min(shingles.count, Self.sketchPrefix)
        let prefix = UnsafeBufferPointer(rebasing: shingles[..<size])
        let signature = SketchSignature(prefix)
        var near: Int?
        return prompts.withUnsafeBufferPointer { slots in
            var start = 0
            while start < slots.count {
                defer { start += Self.promptWords }
                guard Int64(bitPattern: slots[start + 1]) >= since else { continue }
                if slots[start] == exact { return (.repeated, Self.input(of: slots[start + 3])) }
                if near != nil || size == 0 { continue }
                let otherSize = Int(slots[start + 3] & 0xFF)
                guard otherSize > 0,
                    !signature.rulesOut(
                        size: size, against: SketchSignature(bits: slots[start + 2]), otherSize: otherSize,
                        needShared: Self.neededShared(max(size, otherSize)))
                else { continue }
                if Self.similar(prefix, slots, from: start + 4, count: otherSize) { near = start }
            }
            guard let near else { return (.new, nil) }
            return (.nearRepeat, Self.input(of: slots[near + 3]))
        }
    }

    /// The fewest shared hashes with which the union's first `seen` hashes reach ``similarity`` (3/5): the
    /// ceiling of 3·seen/5, in integers, since this runs for every remembered prompt of every call.
    private static func neededShared(_ seen: Int) -> Int {
        (3 * min(seen, sketchPrefix) + 4) / 5
    }

    /// Whether the bottom-k estimate over the first ``sketchPrefix`` hashes of the two sketches' union
    /// reaches ``similarity``.
    private static func similar(
        _ a: UnsafeBufferPointer<UInt32>, _ slots: UnsafeBufferPointer<UInt64>, from first: Int, count sizeB: Int
    ) -> Bool {
        func b(_ index: Int) -> UInt32 {
            UInt32(truncatingIfNeeded: slots[first + index / 2] >> (32 * UInt64(index % 2)))
        }
        var i = 0
        var j = 0
        var seen = 0
        var shared = 0
        while seen < sketchPrefix && (i < a.count || j < sizeB) {
            if i < a.count && j < sizeB && a[i] == b(j) {
                shared += 1
                i += 1
                j += 1
            } else if j >= sizeB || (i < a.count && a[i] < b(j)) {
                i += 1
            } else {
                j += 1
            }
            seen += 1
        }
        return seen > 0 && Double(shared) >= similarity * Double(seen)
    }

    /// The input size kept above a slot's sketch size.
    private static func input(of word: UInt64) -> Int64 { Int64(bitPattern: word >> 8) }

    private mutating func remember(_ prompt: PromptFingerprint, input: Int64, at time: EventTime) {
        let start: Int
        if prompts.count < Self.capacity * Self.promptWords {
            start = prompts.count
            prompts.append(contentsOf: repeatElement(0, count: Self.promptWords))
        } else {
            start = nextPrompt * Self.promptWords
            nextPrompt = (nextPrompt + 1) % Self.capacity
        }
        let size = min(prompt.shingles.count, Self.sketchPrefix)
        prompts.withUnsafeMutableBufferPointer { slots in
            prompt.shingles.withUnsafeBufferPointer { shingles in
                slots[start] = prompt.exact
                slots[start + 1] = UInt64(bitPattern: time.milliseconds)
                slots[start + 2] = SketchSignature(UnsafeBufferPointer(rebasing: shingles[..<size])).bits
                slots[start + 3] = UInt64(size) | UInt64(clamping: max(input, 0)) << 8
                for word in 0..<(Self.sketchPrefix / 2) {
                    let low = 2 * word < size ? UInt64(shingles[2 * word]) : 0
                    let high = 2 * word + 1 < size ? UInt64(shingles[2 * word + 1]) : 0
                    slots[start + 4 + word] = low | high << 32
                }
            }
        }
        lastPrompt = prompt.exact
        lastPromptTime = time.milliseconds
    }

    private mutating func remember(output: UInt64, at time: EventTime) {
        if outputs.count < Self.capacity * 2 {
            outputs.append(output)
            outputs.append(UInt64(bitPattern: time.milliseconds))
            return
        }
        outputs[nextOutput * 2] = output
        outputs[nextOutput * 2 + 1] = UInt64(bitPattern: time.milliseconds)
        nextOutput = (nextOutput + 1) % Self.capacity
    }
}

/// The checkpoint format: the trails, the latest prompt and the pace are absent from checkpoints written before
/// they were kept, and read as none.
extension ContentMemory: Codable {
    private enum CodingKeys: String, CodingKey {
        case prompts, nextPrompt, outputs, nextOutput, lastSeen, trails, lastPrompt, lastPromptTime, meanGap
    }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        prompts = try c.decode([UInt64].self, forKey: .prompts)
        nextPrompt = try c.decode(Int.self, forKey: .nextPrompt)
        outputs = try c.decode([UInt64].self, forKey: .outputs)
        nextOutput = try c.decode(Int.self, forKey: .nextOutput)
        lastSeen = try c.decode(Int64.self, forKey: .lastSeen)
        trails = ContextTrails(trails: try c.decodeIfPresent([ContextTrail].self, forKey: .trails) ?? [])
        lastPrompt = try c.decodeIfPresent(UInt64.self, forKey: .lastPrompt) ?? 0
        lastPromptTime = try c.decodeIfPresent(Int64.self, forKey: .lastPromptTime) ?? .min
        meanGap = try c.decodeIfPresent(Int64.self, forKey: .meanGap) ?? 0
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(prompts, forKey: .prompts)
        try c.encode(nextPrompt, forKey: .nextPrompt)
        try c.encode(outputs, forKey: .outputs)
        try c.encode(nextOutput, forKey: .nextOutput)
        try c.encode(lastSeen, forKey: .lastSeen)
        try c.encode(trails.trails, forKey: .trails)
        try c.encode(lastPrompt, forKey: .lastPrompt)
        try c.encode(lastPromptTime, forKey: .lastPromptTime)
        try c.encode(meanGap, forKey: .meanGap)
    }
}
