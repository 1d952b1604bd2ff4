/// A fast keyed hash of ids (a multiply-and-fold over 8 bytes at a time, after wyhash), seeded at random when
/// the process starts.
///
/// The seed is what keeps someone who chooses ids (any publisher) from sending many that share a bucket: as
/// with Swift's own hashing, the values differ in every process and are never shown or stored, so they cannot
/// be worked out in advance. Only positions in memory depend on them: no output, alert or checkpoint does.
enum SubjectHash {
    private static let seed = (
        UInt64.random(in: .min ... .max), UInt64.random(in: .min ... .max), UInt64.random(in: .min ... .max)
    )

    /// The 128-bit product of `a` and `b`, its halves folded together.
    @inline(__always)
    private static func fold(_ a: UInt64, _ b: UInt64) -> UInt64 {
        let product = a.multipliedFullWidth(by: b)
        return product.high ^ product.low
    }

    static func hash(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        let (s0, s1, s2) = seed
        var state = s0 ^ UInt64(bytes.count)
        var offset = 0
        while offset + 8 <= bytes.count {
            // Both operands are keyed, so no chosen block can zero the product and erase the state.
            state = fold(bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self) ^ s1, state ^ s2)
            offset += 8
        }
        if offset < bytes.count {
            var tail: UInt64 = 0
            for index in offset..<bytes.count { tail |= UInt64(bytes[index]) << (8 * UInt64(index - offset)) }
            state = fold(tail ^ s2, state ^ s1)
        }
        return fold(state ^ s0, 0x9E37_79B9_7F4A_7C15)
    }

    /// The same value as the hash of the string's UTF-8 bytes.
    ///
    /// Read through `withContiguousStorageIfAvailable`, which retains and releases a large string's storage:
    /// still far cheaper than reading the bytes one by one through `utf8`.
    static func hash(_ string: String) -> UInt64 {
        // Native and small strings (all of them on Linux) are contiguous UTF-8; another is hashed from a copy.
        if let hash = string.utf8.withContiguousStorageIfAvailable({ hash(UnsafeRawBufferPointer($0)) }) { return hash }
        return Array(string.utf8).withUnsafeBytes { hash($0) }
    }

    /// A hash of two hashes, order-dependent: for keys made of several ids.
    static func combine(_ first: UInt64, _ second: UInt64) -> UInt64 {
        fold(first ^ seed.1, second ^ seed.2)
    }
}
