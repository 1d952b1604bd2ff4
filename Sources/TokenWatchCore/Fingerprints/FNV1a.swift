/// 64-bit FNV-1a: a stable, seed-free hash, so fingerprints and alert ids are the same in every process
/// and every run (Swift's `Hasher` is seeded per process).
package enum FNV1a {
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

    /// Over the string's UTF-8 bytes, read in place when contiguous (native and small strings, all of them on
    /// Linux): stepping through `utf8` as a sequence costs several times as much per byte.
    package static func hash(_ text: String) -> UInt64 {
        text.utf8.withContiguousStorageIfAvailable { hash(bytes: $0) } ?? hash(bytes: text.utf8)
    }

    package static func hash(bytes: some Sequence<UInt8>) -> UInt64 {
        var hash = offsetBasis
        for byte in bytes { hash = add(byte, to: hash) }
        return hash
    }
}
