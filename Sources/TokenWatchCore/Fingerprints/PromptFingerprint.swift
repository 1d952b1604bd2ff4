/// What TokenWatch keeps of a prompt: hashes, never text.
///
/// The text is normalised first (lower case, punctuation and whitespace ignored, every number replaced by
/// one placeholder) so that trivial variations do not hide a repeat. From the normalised words it keeps
/// - `exact`: a hash of the whole word sequence, equal for prompts that normalise the same, and
/// - `shingles`: a bottom-k sketch (the smallest hashes) of the set of words and word pairs, whose overlap
///   estimates how similar two prompts are even when a word was dropped, added or swapped.
/// A prompt known only by its publisher's `prompt_hash` has no shingles: it can repeat only exactly.
public struct PromptFingerprint: Sendable, Hashable, Codable {
    public var exact: UInt64
    /// Sorted, unique, at most ``sketchSize`` values.
    public var shingles: [UInt32]
    /// Words in the normalised text; `nil` when only an opaque hash is known.
    public var wordCount: Int?

    /// Prompts of at most this many words say nothing by themselves ("ok", "continue", "go on").
    static let trivialWordCount = 3

    /// Whether the prompt is a few words that ask nothing; a prompt known only by its hash never is.
    var isTrivial: Bool { wordCount.map { $0 <= Self.trivialWordCount } ?? false }

    /// How many shingle hashes the sketch keeps. Prompts with fewer distinct words and pairs are compared
    /// exactly; longer ones by the bottom-k estimate of their Jaccard similarity.
    public static let sketchSize = 64

    public init(exact: UInt64, shingles: [UInt32], wordCount: Int? = nil) {
        self.exact = exact
        self.shingles = shingles
        self.wordCount = wordCount
    }

    /// Fingerprints prompt text given as UTF-8 bytes.
    ///
    /// This runs once per event, so shingles are gathered in a temporary buffer (on the stack for prompts of
    /// usual length) and the only allocation is the sketch itself. Each word is folded into the exact hash and
    /// the shingles as soon as it ends, in the same pass as the bytes: the exact hash is a chain of dependent
    /// multiplications, and run beside the next word's bytes the processor overlaps the two.
    public init(text: UnsafeRawBufferPointer) {
        // A word takes at least one byte and a separator: at most (count + 1) / 2 words, and one shingle per
        // word and per pair of neighbours.
        let maxWords = (text.count + 1) / 2 + 1
        self = withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 2 * maxWords) { buffer in
            var words = WordHasher(shingles: buffer)
            let count = text.count
            var i = 0
            while i < count {
                let byte = text[i]
                // Most bytes are ASCII or plain UTF-8; only the lead bytes of look-alike letters (Greek and
                // Cyrillic: 0xCE–0xD1) and of fullwidth forms (0xEF) look ahead.
                if byte < 0xCE || (byte > 0xD1 && byte != 0xEF) {
                    words.add(byte)
                    i &+= 1
                } else {
                    i = words.addLookAlike(text, at: i)
                }
            }
            words.endWord()
            return PromptFingerprint(
                exact: words.exact,
                shingles: Self.sketch(of: UnsafeMutableBufferPointer(rebasing: buffer[..<words.filled])),
                wordCount: words.count)
        }
    }

    /// Splits normalised bytes into words and folds each, as it ends, into the exact hash and the shingles
    /// (each word, and each pair of neighbours).
    private struct WordHasher {
        let shingles: UnsafeMutableBufferPointer<UInt32>
        var filled = 0
        var count = 0
        var exact = FNV1a.offsetBasis
        private var previous: UInt64 = 0
        private var hash = FNV1a.offsetBasis
        private var inWord = false
        private var hasDigit = false

        init(shingles: UnsafeMutableBufferPointer<UInt32>) { self.shingles = shingles }

        /// Letters (ASCII ones in lower case), digits and the bytes of other characters make words; anything
        /// else ends one.
        mutating func add(_ first: UInt8, _ second: UInt8) {
            add(first)
            add(second)
        }

        mutating func add(_ first: UInt8, _ second: UInt8, _ third: UInt8) {
            add(first)
            add(second)
            add(third)
        }

        /// Adds the character whose lead byte (0xCE–0xD1 or 0xEF) is at `start`, folding look-alike letters of
        /// other scripts and fullwidth forms to ASCII (see ``Confusables``); returns where the next one starts.
        /// Bytes that do not complete such a character are added as they are, the next one included: a
        /// truncated or malformed sequence still makes the same words every time.
        mutating func addLookAlike(_ text: UnsafeRawBufferPointer, at start: Int) -> Int {
            let lead = text[start]
            guard start + 1 < text.count else {
                add(lead)
                return start + 1
            }
            let second = text[start + 1]
            guard lead == 0xEF else {
                let latin = Confusables.latin(lead: lead, trail: second)
                if latin != 0 { add(latin) } else { add(lead, second) }
                return start + 2
            }
            guard second == 0xBC || second == 0xBD else {
                add(lead, second)
                return start + 2
            }
            guard start + 2 < text.count else {
                add(lead, second)
                return start + 2
            }
            let third = text[start + 2]
            let ascii = Confusables.ascii(fullwidthSecond: second, third: third)
            if ascii != 0 { add(ascii) } else { add(lead, second, third) }
            return start + 3
        }

        mutating func add(_ byte: UInt8) {
            let isUpper = byte >= 65 && byte <= 90
            let isLower = byte >= 97 && byte <= 122
            let isDigit = byte >= 48 && byte <= 57
            guard isUpper || isLower || isDigit || byte >= 0x80 else {
                endWord()
                return
            }
            hasDigit = hasDigit || isDigit
            hash = FNV1a.add(isUpper ? byte + 32 : byte, to: hash)
            inWord = true
        }

        mutating func endWord() {
            if inWord {
                let word = hasDigit ? PromptFingerprint.numberToken : hash
                exact = FNV1a.mix(exact, word)
                shingles[filled] = UInt32(truncatingIfNeeded: PromptFingerprint.finalize(word))
                filled += 1
                if count > 0 {
                    shingles[filled] = UInt32(truncatingIfNeeded: PromptFingerprint.finalize(FNV1a.mix(previous, word)))
                    filled += 1
                }
                previous = word
                count += 1
            }
            inWord = false
            hasDigit = false
            hash = FNV1a.offsetBasis
        }
    }

    /// Fingerprints prompt text.
    public init(text: String) {
        var text = text
        self = text.withUTF8 { PromptFingerprint(text: UnsafeRawBufferPointer($0)) }
    }

    /// A fingerprint for a prompt known only by an opaque hash from its publisher.
    public init(opaqueHash: String) {
        self.init(exact: Self.exact(opaqueHash: opaqueHash), shingles: [])
    }

    /// The exact hash of a prompt known only by `opaqueHash` (and of an output known by its `output_hash`).
    static func exact(opaqueHash: String) -> UInt64 {
        var hash = FNV1a.offsetBasis
        for byte in opaqueHash.utf8 { hash = FNV1a.add(byte, to: hash) }
        return FNV1a.add(0xFF, to: hash)
    }

    private static let numberToken: UInt64 = 0x9E37_79B9_7F4A_7C15

    /// The bottom-k sketch of `shingles`: the smallest ``sketchSize`` distinct values, in order. Sorts in place.
    private static func sketch(of shingles: UnsafeMutableBufferPointer<UInt32>) -> [UInt32] {
        var sorted = shingles
        if sorted.count <= 96 {
            // Prompts of usual length: an insertion sort beats the library's general-purpose stable sort.
            for i in 1..<max(sorted.count, 1) {
                let value = sorted[i]
                var j = i
                while j > 0 && sorted[j - 1] > value {
                    sorted[j] = sorted[j - 1]
                    j -= 1
                }
                sorted[j] = value
            }
        } else {
            sorted.sort()
        }
        var unique: [UInt32] = []
        unique.reserveCapacity(min(sorted.count, sketchSize))
        for value in sorted where unique.last != value {
            unique.append(value)
            if unique.count == sketchSize { break }
        }
        return unique
    }

    /// A well-spread 64-bit finaliser (splitmix64), so that the bottom-k sample is uniform.
    private static func finalize(_ value: UInt64) -> UInt64 {
        var z = value &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// The similarity if it is at least `threshold`, else `nil`, comparing only as far as needed.
    public func similarity(to other: PromptFingerprint, atLeast threshold: Double) -> Double? {
        similarity(to: other, atLeast: threshold, cutoff: SimilarityCutoff(threshold))
    }

    /// The similarity if it is at least `threshold`, else `nil`, ending the comparison as soon as `cutoff`
    /// (made for `threshold` or any lower one) rules a match out.
    public func similarity(to other: PromptFingerprint, atLeast threshold: Double, cutoff: SimilarityCutoff) -> Double?
    {
        if exact == other.exact { return 1 }
        return shingles.withUnsafeBufferPointer { a in
            other.shingles.withUnsafeBufferPointer { b in
                Self.similarity(of: a, and: b, atLeast: threshold, cutoff: cutoff)
            }
        }
    }

    /// The similarity of two sketches (sorted, unique, as in ``shingles``) if it is at least `threshold`, else
    /// `nil`: for callers that keep sketches elsewhere than in fingerprints. Prompts that normalise the same
    /// are not recognised here; compare ``exact`` first.
    static func similarity(
        of a: UnsafeBufferPointer<UInt32>, and b: UnsafeBufferPointer<UInt32>, atLeast threshold: Double,
        cutoff: SimilarityCutoff
    ) -> Double? {
        if a.isEmpty || b.isEmpty { return threshold <= 0 ? 0 : nil }
        let needShared = cutoff.neededShared(a.count, b.count)
        guard needShared <= min(a.count, b.count) else { return nil }
        guard let value = bottomK(a, b, allowedMisses: cutoff.allowedMisses, needShared: needShared) else { return nil }
        return value >= threshold ? value : nil
    }

    /// The estimated Jaccard similarity of the two prompts' word-and-pair sets, from 0 to 1; 1 when they
    /// normalise to the same words.
    public func similarity(to other: PromptFingerprint) -> Double {
        if exact == other.exact { return 1 }
        return shingles.withUnsafeBufferPointer { a in
            other.shingles.withUnsafeBufferPointer { b in
                Self.bottomK(a, b, allowedMisses: Self.sketchSize, needShared: 0) ?? 0
            }
        }
    }

    /// The bottom-k estimator: among the k smallest hashes of the union, the share present in both; `nil` once
    /// fewer than `needShared` hashes could still be shared or more than `allowedMisses` were found on one side
    /// only (see ``SimilarityCutoff``).
    ///
    /// The merge is written without data-dependent branches (the comparisons become flags): on random hashes
    /// a branchy merge mispredicts about every other step, and this loop is the detectors' hottest. The one
    /// branch left, the early exit, is taken once.
    private static func bottomK(
        _ a: UnsafeBufferPointer<UInt32>, _ b: UnsafeBufferPointer<UInt32>, allowedMisses: Int, needShared: Int
    ) -> Double? {
        if a.isEmpty || b.isEmpty { return 0 }
        let k = Self.sketchSize
        var seen = 0
        var shared = 0
        // Misses allowed on each side before fewer than `needShared` could still be shared.
        let missesA = a.count - needShared
        let missesB = b.count - needShared
        var i = 0
        var j = 0
        while i < a.count && j < b.count && seen < k {
            let x = a[i]
            let y = b[j]
            let advanceA = x <= y ? 1 : 0
            let advanceB = x >= y ? 1 : 0
            shared &+= advanceA & advanceB
            i &+= advanceA
            j &+= advanceB
            seen &+= 1
            if (seen &- shared > allowedMisses) || (i &- shared > missesA) || (j &- shared > missesB) { return nil }
        }
        // One side is used up: the rest of the other side fills the union up to k.
        seen = min(k, seen + (a.count - i) + (b.count - j))
        if seen - shared > allowedMisses { return nil }
        return seen == 0 ? 0 : Double(shared) / Double(seen)
    }
}
