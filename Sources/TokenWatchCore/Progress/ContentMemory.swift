/// What one stream of calls asked and answered lately: the last ``capacity`` prompts and outputs of the
/// last ``window``, enough to tell a new call from one that returns to the same texts.
///
/// Prompts are kept as their exact hash and the first ``sketchPrefix`` hashes of their bottom-k sketch (the
/// smallest hashes of a set are a bottom-k sketch of it too, so near-duplicates are estimated from the prefix
/// alone); outputs as a hash of their `output_hash`. A loop that cycles through more than ``capacity``
/// different texts within the hour looks new to it: that is a loop of at least 17 steps, which the shape
/// detectors and `repetitive_prompts` still see. About 1.3 KB per stream.
struct ContentMemory: Sendable, Codable {
    static let capacity = 16
    static let sketchPrefix = 12
    static let window: Int64 = 3_600_000
    static let similarity = 0.6
    /// Prompts of at most this many words say nothing by themselves ("ok", "continue", "go on").
    static let trivialWords = 3

    private var promptExacts: [UInt64] = []
    private var promptTimes: [Int64] = []
    /// ``sketchPrefix`` slots per prompt, end to end; unused slots are `UInt32.max` after the real ones.
    private var promptSketches: [UInt32] = []
    private var promptSketchSizes: [UInt8] = []
    private var nextPrompt = 0
    private var outputs: [UInt64] = []
    private var outputTimes: [Int64] = []
    private var nextOutput = 0

    init() {}

    /// Judges a call against what the stream did in the last ``window`` before it, then remembers it.
    mutating func observe(
        prompt: PromptFingerprint?, promptHash: String?, outputHash: String?, at time: EventTime
    ) -> CallNovelty {
        let since = time.milliseconds - Self.window
        let output = outputHash.map(FNV1a.hash)
        let outputRepeats = output.map { containsOutput($0, since: since) }
        let novelty: CallNovelty
        if let promptHash, containsOutput(FNV1a.hash(promptHash), since: since) {
            novelty = .fedBack
        } else if let prompt, (prompt.wordCount ?? Self.trivialWords + 1) > Self.trivialWords {
            novelty = match(prompt, since: since)
            remember(prompt, at: time)
        } else {
            // Nothing asked (no prompt, or a confirmation): the answer tells whether the work moved on.
            novelty = outputRepeats.map { $0 ? .outputRepeated : .new } ?? .unknown
        }
        if let output { remember(output: output, at: time) }
        return novelty
    }

    private func containsOutput(_ hash: UInt64, since: Int64) -> Bool {
        for index in outputs.indices where outputs[index] == hash && outputTimes[index] >= since { return true }
        return false
    }

    /// How `prompt` relates to the remembered prompts: an exact repeat wins over a near one.
    private func match(_ prompt: PromptFingerprint, since: Int64) -> CallNovelty {
        var near = false
        let size = min(prompt.shingles.count, Self.sketchPrefix)
        for index in promptExacts.indices where promptTimes[index] >= since {
            if promptExacts[index] == prompt.exact { return .repeated }
            if near || size == 0 { continue }
            let start = index * Self.sketchPrefix
            near = Self.similar(
                prompt.shingles, size, promptSketches, start, Int(promptSketchSizes[index]))
        }
        return near ? .nearRepeat : .new
    }

    /// Whether the bottom-k estimate over the first ``sketchPrefix`` hashes of the two sketches' union
    /// reaches ``similarity``.
    private static func similar(_ a: [UInt32], _ sizeA: Int, _ store: [UInt32], _ start: Int, _ sizeB: Int) -> Bool {
        guard sizeB > 0 else { return false }
        let k = sketchPrefix
        var i = 0
        var j = 0
        var seen = 0
        var shared = 0
        while seen < k && (i < sizeA || j < sizeB) {
            let x = i < sizeA ? a[i] : UInt32.max
            let y = j < sizeB ? store[start + j] : UInt32.max
            if i < sizeA && j < sizeB && x == y {
                shared += 1
                i += 1
                j += 1
            } else if j >= sizeB || (i < sizeA && x < y) {
                i += 1
            } else {
                j += 1
            }
            seen += 1
        }
        return Double(shared) >= similarity * Double(seen) && seen > 0
    }

    private mutating func remember(_ prompt: PromptFingerprint, at time: EventTime) {
        let size = min(prompt.shingles.count, Self.sketchPrefix)
        if promptExacts.count < Self.capacity {
            promptExacts.append(prompt.exact)
            promptTimes.append(time.milliseconds)
            promptSketchSizes.append(UInt8(size))
            promptSketches.append(contentsOf: prompt.shingles.prefix(size))
            promptSketches.append(contentsOf: repeatElement(UInt32.max, count: Self.sketchPrefix - size))
            return
        }
        let slot = nextPrompt
        nextPrompt = (nextPrompt + 1) % Self.capacity
        promptExacts[slot] = prompt.exact
        promptTimes[slot] = time.milliseconds
        promptSketchSizes[slot] = UInt8(size)
        for offset in 0..<Self.sketchPrefix {
            promptSketches[slot * Self.sketchPrefix + offset] = offset < size ? prompt.shingles[offset] : UInt32.max
        }
    }

    private mutating func remember(output: UInt64, at time: EventTime) {
        if outputs.count < Self.capacity {
            outputs.append(output)
            outputTimes.append(time.milliseconds)
            return
        }
        outputs[nextOutput] = output
        outputTimes[nextOutput] = time.milliseconds
        nextOutput = (nextOutput + 1) % Self.capacity
    }
}
