/// What one stream of calls asked and answered lately: the last ``capacity`` prompts and outputs of the
/// last ``window``, enough to tell a new call from one that returns to the same texts.
///
/// Prompts are kept as their exact hash and the first ``sketchPrefix`` hashes of their bottom-k sketch (the
/// smallest hashes of a set are a bottom-k sketch of it too, so near-duplicates are estimated from the prefix
/// alone), with a 64-bit signature of those hashes that rules most unrelated pairs out before the merge (see
/// ``SketchSignature``); outputs as a hash of their `output_hash`. A loop that cycles through more than
/// ``capacity`` different texts within the hour looks new to it: that is a loop of at least 17 steps, which
/// the shape detectors and `repetitive_prompts` still see.
///
/// Laid out for the comparison every call makes: all prompts in one array of fixed-size slots, all outputs in
/// another (two allocations per stream, read in order): at most 1 280 + 256 bytes of slots per stream.
struct ContentMemory: Sendable, Codable {
    static let capacity = 16
    static let sketchPrefix = 12
    static let window: Int64 = 3_600_000
    static let similarity = 0.6

    /// Per prompt: exact hash, time, signature, sketch size, then the sketch prefix two hashes per word.
    private static let promptWords = 4 + sketchPrefix / 2
    private var prompts: [UInt64] = []
    private var nextPrompt = 0
    /// Per output: its hash and time.
    private var outputs: [UInt64] = []
    private var nextOutput = 0
    /// The latest call's time, in milliseconds.
    private(set) var lastSeen: Int64 = .min
    /// The latest call's input tokens: an agent session's context grows as it works.
    private var lastInput: Int64 = 0
    /// A confirmation sent with at least this many input tokens carries a session's context.
    static let contextTokens: Int64 = 2000

    init() {}

    /// Judges a call against what the stream did in the last ``window`` before it, then remembers it.
    mutating func observe(
        prompt: PromptFingerprint?, promptHash: String?, outputHash: String?, inputTokens: Int64 = 0,
        at time: EventTime
    ) -> CallNovelty {
        let since = time.milliseconds - Self.window
        // Outputs are kept as a prompt known by the same hash would be fingerprinted, so that an output fed
        // back is found by the prompt's exact hash, without hashing the text again.
        let output = outputHash.map { PromptFingerprint.exact(opaqueHash: $0) }
        let outputRepeats = output.map { containsOutput($0, since: since) }
        let hashedPrompt = prompt.flatMap { $0.wordCount == nil ? $0.exact : nil }
        let novelty: CallNovelty
        if let promptHash, containsOutput(hashedPrompt ?? PromptFingerprint.exact(opaqueHash: promptHash), since: since)
        {
            novelty = .fedBack
        } else if let prompt, !prompt.isTrivial {
            novelty = prompt.shingles.withUnsafeBufferPointer { match(prompt.exact, $0, since: since) }
            remember(prompt, at: time)
        } else if let outputRepeats {
            // Nothing asked (no prompt, or a confirmation): the answer tells whether the work moved on.
            novelty = outputRepeats ? .outputRepeated : .new
        } else if prompt != nil, inputTokens >= Self.contextTokens, lastSeen >= since, inputTokens > lastInput {
            // A confirmation without an answer to judge by, whose session context grew since the stream's last
            // call: an agent moving on ("continue" with 30k tokens behind it). A context resent unchanged
            // stays unknown.
            novelty = .new
        } else {
            novelty = .unknown
        }
        if let output { remember(output: output, at: time) }
        lastSeen = max(lastSeen, time.milliseconds)
        lastInput = inputTokens
        return novelty
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

    /// How a prompt relates to the remembered prompts: an exact repeat wins over a near one.
    private func match(_ exact: UInt64, _ shingles: UnsafeBufferPointer<UInt32>, since: Int64) -> CallNovelty {
        let size = min(shingles.count, Self.sketchPrefix)
        let prefix = UnsafeBufferPointer(rebasing: shingles[..<size])
        let signature = SketchSignature(prefix)
        var near = false
        return prompts.withUnsafeBufferPointer { slots in
            var start = 0
            while start < slots.count {
                defer { start += Self.promptWords }
                guard Int64(bitPattern: slots[start + 1]) >= since else { continue }
                if slots[start] == exact { return .repeated }
                if near || size == 0 { continue }
                let otherSize = Int(slots[start + 3])
                guard otherSize > 0,
                    !signature.rulesOut(
                        size: size, against: SketchSignature(bits: slots[start + 2]), otherSize: otherSize,
                        needShared: Self.neededShared(max(size, otherSize)))
                else { continue }
                near = Self.similar(prefix, slots, from: start + 4, count: otherSize)
            }
            return near ? .nearRepeat : .new
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

    private mutating func remember(_ prompt: PromptFingerprint, at time: EventTime) {
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
                slots[start + 3] = UInt64(size)
                for word in 0..<(Self.sketchPrefix / 2) {
                    let low = 2 * word < size ? UInt64(shingles[2 * word]) : 0
                    let high = 2 * word + 1 < size ? UInt64(shingles[2 * word + 1]) : 0
                    slots[start + 4 + word] = low | high << 32
                }
            }
        }
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
