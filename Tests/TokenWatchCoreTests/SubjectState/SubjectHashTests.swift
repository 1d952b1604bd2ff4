import Testing

@testable import TokenWatchCore

@Suite("Subject hash")
struct SubjectHashTests {
    /// Equal ids hash the same however their strings are stored: small (inline) or native, built in one piece
    /// or from parts, or given as bytes.
    @Test func equalIdsHashTheSameWhateverTheirStorage() {
        for length in 0...40 {
            let text = String(repeating: "x", count: length)
            let built = String(("prefix-" + text).dropFirst(7))
            #expect(SubjectHash.hash(text) == SubjectHash.hash(built), "length \(length)")
            let bytes = Array(text.utf8)
            #expect(bytes.withUnsafeBytes { SubjectHash.hash($0) } == SubjectHash.hash(text))
        }
    }

    /// The hash reads the last bytes of an id as whole words; it is the function stated plainly, byte by byte,
    /// for every length and seed tried.
    @Test func wordReadsOfTheTailGiveTheByteByByteHash() {
        func reference(_ bytes: [UInt8], _ seed: (UInt64, UInt64, UInt64)) -> UInt64 {
            func fold(_ a: UInt64, _ b: UInt64) -> UInt64 {
                let product = a.multipliedFullWidth(by: b)
                return product.high ^ product.low
            }
            var state = seed.0 ^ UInt64(bytes.count)
            var offset = 0
            while offset + 8 <= bytes.count {
                var block: UInt64 = 0
                for index in 0..<8 { block |= UInt64(bytes[offset + index]) << (8 * UInt64(index)) }
                state = fold(block ^ seed.1, state ^ seed.2)
                offset += 8
            }
            if offset < bytes.count {
                var tail: UInt64 = 0
                for index in offset..<bytes.count { tail |= UInt64(bytes[index]) << (8 * UInt64(index - offset)) }
                state = fold(tail ^ seed.2, state ^ seed.1)
            }
            return fold(state ^ seed.0, 0x9E37_79B9_7F4A_7C15)
        }
        var generator = SystemRandomNumberGenerator()
        for length in 0...40 {
            for _ in 0..<20 {
                let seed = (generator.next() as UInt64, generator.next() as UInt64, generator.next() as UInt64)
                let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
                #expect(bytes.withUnsafeBytes { SubjectHash.hash($0, seed: seed) } == reference(bytes, seed))
            }
        }
    }

    /// Ids that differ in one byte, at any position, in their length only, or in a trailing zero byte, hash
    /// differently; over 200 000 ids shaped like real ones, the 32 bits kept in a table's buckets collide
    /// about as often as random values do.
    @Test func distinctIdsSpreadLikeRandomValues() {
        var hashes: Set<UInt64> = []
        for length in 1...24 {
            let base = Array(repeating: UInt8(ascii: "a"), count: length)
            hashes.insert(base.withUnsafeBytes { SubjectHash.hash($0) })
            for position in 0..<length {
                var changed = base
                changed[position] = UInt8(ascii: "b")
                hashes.insert(changed.withUnsafeBytes { SubjectHash.hash($0) })
            }
            hashes.insert((base + [0]).withUnsafeBytes { SubjectHash.hash($0) })
        }
        // 24 lengths × (1 + length changes + 1 with a zero byte): every one distinct.
        #expect(hashes.count == (1...24).reduce(0) { $0 + $1 + 2 })

        let count = 200_000
        var tags: Set<UInt32> = []
        var buckets = [Int](repeating: 0, count: 1024)
        for n in 0..<count {
            let hash = SubjectHash.hash("user-\(n)@example.com")
            tags.insert(UInt32(truncatingIfNeeded: hash))
            buckets[Int(hash & 1023)] += 1
        }
        // 200 000 random 32-bit values collide about n²/2³³ ≈ 4.7 times; a weak hash collides by thousands.
        #expect(count - tags.count < 40)
        // 195 per bucket on average, standard deviation about 14: no bucket beyond eight of them.
        #expect(buckets.min()! > 195 - 8 * 14 && buckets.max()! < 195 + 8 * 14, "\(buckets.min()!)…\(buckets.max()!)")
    }

    /// Keys made of several ids depend on their order.
    @Test func combinedHashesDependOnOrder() {
        let a = SubjectHash.hash("alice")
        let b = SubjectHash.hash("bob")
        #expect(SubjectHash.combine(a, b) != SubjectHash.combine(b, a))
        #expect(SubjectHash.combine(a, b) == SubjectHash.combine(SubjectHash.hash("alice"), SubjectHash.hash("bob")))
    }
}
