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

    /// A signature kept as its bits.
    init(bits: UInt64) { self.bits = bits }

    /// Whether sketches of sizes `size` (this one) and `otherSize` (summarised by `other`) certainly share
    /// fewer hashes than `cutoff` needs.
    @inline(__always)
    func rulesOut(size: Int, against other: SketchSignature, otherSize: Int, cutoff: SimilarityCutoff) -> Bool {
        rulesOut(size: size, against: other, otherSize: otherSize, needShared: cutoff.neededShared(size, otherSize))
    }

    /// Whether the two sketches certainly share fewer than `needShared` hashes.
    @inline(__always)
    func rulesOut(size: Int, against other: SketchSignature, otherSize: Int, needShared: Int) -> Bool {
        (bits & ~other.bits).nonzeroBitCount > size - needShared
            || (other.bits & ~bits).nonzeroBitCount > otherSize - needShared
    }
}
