import CPromptFingerprint

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
    /// This runs once per event: one pass over the bytes (`CPromptFingerprint`) folds each word, as soon as it
    /// ends, into the exact hash and offers its shingles to the bottom-k sketch, which it leaves in a buffer on
    /// the stack; the only allocation is the sketch's array, made at its size.
    public init(text: UnsafeRawBufferPointer) {
        self = withUnsafeTemporaryAllocation(of: UInt32.self, capacity: Int(TW_SKETCH_SIZE)) { sketch in
            let pass = tw_fingerprint_text(
                text.baseAddress?.assumingMemoryBound(to: UInt8.self), text.count, sketch.baseAddress!)
            let shingles = Array(UnsafeBufferPointer(start: sketch.baseAddress, count: pass.sketch_count))
            return PromptFingerprint(exact: pass.exact, shingles: shingles, wordCount: Int(pass.words))
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
        var opaqueHash = opaqueHash
        return opaqueHash.withUTF8 { exact(opaqueHash: UnsafeRawBufferPointer($0)) }
    }

    /// The same as ``exact(opaqueHash:)-(String)`` for the hash's UTF-8 bytes, read where they lie.
    static func exact(opaqueHash bytes: UnsafeRawBufferPointer) -> UInt64 {
        tw_fingerprint_opaque(bytes.baseAddress?.assumingMemoryBound(to: UInt8.self), bytes.count)
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
