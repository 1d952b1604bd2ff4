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
