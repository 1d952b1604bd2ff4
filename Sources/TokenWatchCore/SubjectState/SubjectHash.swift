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

    static func hash(_ bytes: UnsafeRawBufferPointer) -> UInt64 { hash(bytes, seed: seed) }

    /// This process's seed, for a hot caller to keep: reading the static seed costs a check that it is made.
    static var processSeed: (UInt64, UInt64, UInt64) { seed }

    /// The hash under a given seed: what tests compare with a plain statement of the function.
    @inline(__always)
    static func hash(_ bytes: UnsafeRawBufferPointer, seed: (UInt64, UInt64, UInt64)) -> UInt64 {
        let (s0, s1, s2) = seed
        var state = s0 ^ UInt64(bytes.count)
        var offset = 0
        while offset + 8 <= bytes.count {
            // Both operands are keyed, so no chosen block can zero the product and erase the state.
            state = fold(bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self) ^ s1, state ^ s2)
            offset += 8
        }
        if offset < bytes.count {
            state = fold(tail(bytes, from: offset) ^ s2, state ^ s1)
        }
        return fold(state ^ s0, 0x9E37_79B9_7F4A_7C15)
    }

    /// The last 1 to 7 bytes from `offset` as a little-endian integer, read as whole words that overlap rather
    /// than byte by byte: the bytes of `offset..<count` at the same places as a loop would put them.
    @inline(__always)
    private static func tail(_ bytes: UnsafeRawBufferPointer, from offset: Int) -> UInt64 {
        let count = bytes.count - offset
        if offset > 0 {
            // The 8 bytes that end the buffer, shifted so that the ones already hashed fall off.
            return bytes.loadUnaligned(fromByteOffset: bytes.count - 8, as: UInt64.self) >> (8 * UInt64(8 - count))
        }
        if count >= 4 {
            let low = UInt64(bytes.loadUnaligned(fromByteOffset: 0, as: UInt32.self))
            let high = UInt64(bytes.loadUnaligned(fromByteOffset: count - 4, as: UInt32.self))
            return low | high << (8 * UInt64(count - 4))
        }
        let middle = count / 2
        return UInt64(bytes[0]) | UInt64(bytes[middle]) << (8 * UInt64(middle))
            | UInt64(bytes[count - 1]) << (8 * UInt64(count - 1))
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
