import Testing
import TokenWatchCore

@testable import TokenWatchOTLP

@Suite struct SpanAncestryTests {
    /// However long the names sent, the memory stays under its bound, the oldest spans forgotten first.
    @Test func ancestryMemoryIsBoundedInBytes() {
        var ancestry = SpanAncestry(capacity: 100_000, maxBytes: 64 << 10, maxIdentifierBytes: 256)
        for span in UInt64(1)...2_000 {
            ancestry.remember(span, agent: String(repeating: "n", count: 250) + String(span), parent: nil)
        }
        #expect(ancestry.bytes <= 64 << 10)
        // Each entry costs 64 + 254 bytes: 206 fit in 64 KiB, the newest.
        #expect(ancestry.agent(of: 2_000) == String(repeating: "n", count: 250) + "2000")
        #expect(ancestry.agent(of: 1_795) == String(repeating: "n", count: 250) + "1795")
        #expect(ancestry.agent(of: 1_794) == nil)
    }
}
