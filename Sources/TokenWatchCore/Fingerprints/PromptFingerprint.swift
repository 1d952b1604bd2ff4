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
        self = withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 2 * maxWords) { shingles in
            var filled = 0
            var count = 0
            var exact = FNV1a.offsetBasis
            var previous: UInt64 = 0
            var hash = FNV1a.offsetBasis
            var inWord = false
            var hasDigit = false
            func endWord() {
                if inWord {
                    let word = hasDigit ? PromptFingerprint.numberToken : hash
                    exact = FNV1a.mix(exact, word)
                    shingles[filled] = UInt32(truncatingIfNeeded: Self.finalize(word))
                    filled += 1
                    if count > 0 {
                        shingles[filled] = UInt32(truncatingIfNeeded: Self.finalize(FNV1a.mix(previous, word)))
                        filled += 1
                    }
                    previous = word
                    count += 1
                }
                inWord = false
                hasDigit = false
                hash = FNV1a.offsetBasis
            }
            for var byte in text {
                let isUpper = byte >= 65 && byte <= 90
                let isLower = byte >= 97 && byte <= 122
                let isDigit = byte >= 48 && byte <= 57
                // Bytes of multi-byte UTF-8 characters count as letters: words in other scripts stay words.
                let isWordByte = isUpper || isLower || isDigit || byte >= 0x80
                if !isWordByte {
                    endWord()
                    continue
                }
                if isUpper { byte += 32 }
                hasDigit = hasDigit || isDigit
                hash = FNV1a.add(byte, to: hash)
                inWord = true
            }
            endWord()
            return PromptFingerprint(
                exact: exact, shingles: Self.sketch(of: UnsafeMutableBufferPointer(rebasing: shingles[..<filled])),
                wordCount: count)
        }
    }

    /// Fingerprints prompt text.
    public init(text: String) {
        var text = text
        self = text.withUTF8 { PromptFingerprint(text: UnsafeRawBufferPointer($0)) }
    }

    /// A fingerprint for a prompt known only by an opaque hash from its publisher.
    public init(opaqueHash: String) {
        var hash = FNV1a.offsetBasis
        for byte in opaqueHash.utf8 { hash = FNV1a.add(byte, to: hash) }
        self.init(exact: FNV1a.add(0xFF, to: hash), shingles: [])
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
    public func similarity(to other: PromptFingerprint, atLeast threshold: Double, cutoff: SimilarityCutoff) -> Double? {
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
        of a: UnsafeBufferPointer<UInt32>, and b: UnsafeBufferPointer<UInt32>, atLeast threshold: Double, cutoff: SimilarityCutoff
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

/// What a similarity threshold rules out before and during a comparison, worked out once per threshold.
///
/// Two bounds end a comparison early, and neither can turn a match away:
/// - A hash of the union's first k found on one side only (a miss) stays a miss, and the estimate is
///   shared / seen with seen ≤ k, so after m misses it is at most (k − m) / k.
/// - Of sketches A and B, at most S = min(|A| − misses of A, |B| − misses of B) hashes can end up shared,
///   and the estimate is at most S / min(k, |A| + |B| − S). That reaches t only if S ≥ t·k or
///   S ≥ t·(|A| + |B|) / (1 + t): below the smaller of the two, the pair cannot match. Before the first
///   step this is the classic size filter (a Jaccard similarity is at most the smaller set over the larger);
///   during the merge it stops most comparisons with unrelated prompts after a few steps.
/// Both are rounded in favour of comparing further (by a billionth), so floating point cannot cut a match.
public struct SimilarityCutoff: Sendable {
    /// The threshold this was made for.
    let threshold: Double
    /// The most misses that still allow the threshold.
    let allowedMisses: Int
    private let perUnionSize: Double
    private let atCapacity: Double
    /// `neededShared` for every sum of two sketch sizes up to twice ``PromptFingerprint/sketchSize``: a search
    /// asks for each cluster, and a load costs less than the floating-point bound.
    private let neededSharedBySizeSum: [UInt8]

    public init(_ threshold: Double) {
        let k = Double(PromptFingerprint.sketchSize)
        let t = max(threshold, 0)
        self.threshold = threshold
        allowedMisses = max(0, min(PromptFingerprint.sketchSize, Int((k * (1 - t) + 1e-9).rounded(.down))))
        perUnionSize = t / (1 + t)
        atCapacity = t * k
        let perUnionSize = perUnionSize
        let atCapacity = atCapacity
        neededSharedBySizeSum = (0...2 * PromptFingerprint.sketchSize).map {
            UInt8(Self.neededShared(sizeSum: $0, perUnionSize: perUnionSize, atCapacity: atCapacity))
        }
    }

    /// The fewest shared hashes with which sketches of these sizes can reach the threshold.
    func neededShared(_ sizeA: Int, _ sizeB: Int) -> Int {
        let sum = sizeA + sizeB
        guard sum < neededSharedBySizeSum.count else {
            // Longer sketches than this module makes (built by hand through the public initialiser).
            return Self.neededShared(sizeSum: sum, perUnionSize: perUnionSize, atCapacity: atCapacity)
        }
        return Int(neededSharedBySizeSum[sum])
    }

    private static func neededShared(sizeSum: Int, perUnionSize: Double, atCapacity: Double) -> Int {
        let bound = min(Double(sizeSum) * perUnionSize, atCapacity) - 1e-9
        guard bound > 0 else { return 0 }
        // The ceiling, without a call to libm's `ceil` (not inlined for the baseline x86-64 target).
        let whole = Int(bound)
        return Double(whole) == bound ? whole : whole + 1
    }
}

/// A 64-bit summary of a sketch (bit `h % 64` set for each hash `h`) that rules most unrelated pairs out
/// before their sketches are read.
///
/// A bit set on one side only stands for at least one hash found on that side only, so
/// `popcount(a & ~b)` is a lower bound on the hashes of A that B lacks, and A and B share at most
/// `|A| − popcount(a & ~b)` hashes. When that is below ``SimilarityCutoff/neededShared(_:_:)`` (or the same from
/// B's side) the comparison could only end in `nil`, so skipping it changes no result. Unrelated sketches of
/// about 20 hashes differ in about 12 bits where a near-duplicate may differ in about 4: most comparisons
/// end on two `popcount`s, without touching the sketch's memory.
struct SketchSignature: Sendable, Equatable {
    let bits: UInt64

    init(_ sketch: UnsafeBufferPointer<UInt32>) {
        var bits: UInt64 = 0
        for hash in sketch { bits |= 1 << UInt64(hash & 63) }
        self.bits = bits
    }

    /// Whether sketches of sizes `size` (this one) and `otherSize` (summarised by `other`) certainly share
    /// fewer hashes than `cutoff` needs.
    @inline(__always)
    func rulesOut(size: Int, against other: SketchSignature, otherSize: Int, cutoff: SimilarityCutoff) -> Bool {
        let needShared = cutoff.neededShared(size, otherSize)
        return (bits & ~other.bits).nonzeroBitCount > size - needShared
            || (other.bits & ~bits).nonzeroBitCount > otherSize - needShared
    }
}

/// 64-bit FNV-1a: a stable, seed-free hash, so fingerprints and alert ids are the same in every process
/// and every run (Swift's `Hasher` is seeded per process).
enum FNV1a {
    static let offsetBasis: UInt64 = 0xCBF2_9CE4_8422_2325
    static let prime: UInt64 = 0x0000_0100_0000_01B3

    @inline(__always)
    static func add(_ byte: UInt8, to hash: UInt64) -> UInt64 {
        (hash ^ UInt64(byte)) &* prime
    }

    /// Folds a 64-bit value into the hash, byte by byte.
    static func mix(_ hash: UInt64, _ value: UInt64) -> UInt64 {
        var hash = hash
        var value = value
        for _ in 0..<8 {
            hash = add(UInt8(truncatingIfNeeded: value), to: hash)
            value >>= 8
        }
        return hash
    }

    static func hash(_ text: String) -> UInt64 {
        var hash = offsetBasis
        for byte in text.utf8 { hash = add(byte, to: hash) }
        return hash
    }
}
