import Testing

@testable import TokenWatchCore

@Suite("Duplicate-id window's set")
struct HashWindowSetTests {
    /// A small deterministic generator (SplitMix64), so a failure can be replayed.
    private struct SplitMix {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    /// Long random runs of inserts and removals, as the window makes them, give exactly what `Set` gives.
    /// The values are chosen to collide: a few low bits (the slot) and a few high bits, so runs form, wrap
    /// past the end of the table and are broken up by removals in their middle. 0 and 1 are one value.
    @Test(arguments: [1, 4, 16, 100])
    func behavesLikeASet(capacity: Int) {
        var random = SplitMix(state: UInt64(capacity))
        var set = HashWindowSet(capacity: capacity)
        var oracle: Set<UInt64> = []
        // 0 is left out: it is stored as 1 (see HashWindowSet), which a Set would tell apart.
        let domain = (1..<UInt64(4 * capacity + 9)).map { ($0 & 7) | (($0 >> 3) << 56) }
        for step in 0..<20_000 {
            let value = domain[Int(random.next() % UInt64(domain.count))]
            if oracle.count < capacity && random.next() % 2 == 0 {
                let inserted = set.insert(value)
                #expect(inserted == oracle.insert(value).inserted, "step \(step)")
            } else {
                set.remove(value)
                oracle.remove(value)
            }
            #expect(set.count == oracle.count, "step \(step)")
            if step % 97 == 0 {
                for candidate in domain {
                    #expect(set.contains(candidate) == oracle.contains(candidate), "step \(step), \(candidate)")
                }
            }
        }
    }

    /// The window as the engine uses it: a full ring of ids keeps refusing a repeat until the id has left it.
    @Test func aRepeatIsRefusedUntilItLeavesTheWindow() {
        var recent = RecentEventIDs(capacity: 3)
        let answers = ["a", "b", "c", "a", "d", "a", "c", "d", "a", "b"].map { recent.isRepeat($0) }
        // "d" pushes "a" out, then "a" (new again) pushes "b" out.
        #expect(answers == [false, false, false, true, false, false, true, true, true, false])
        var zero = HashWindowSet(capacity: 2)
        let first = zero.insert(0)
        let second = zero.insert(1)
        #expect(first && !second && zero.count == 1)
    }
}
