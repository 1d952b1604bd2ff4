import Testing
import TokenWatchSimulation

@testable import TokenWatchCore

@Suite("Prompt fingerprints")
struct PromptFingerprintTests {
    @Test func caseWhitespacePunctuationAndNumbersDoNotChangeThePrompt() {
        let a = PromptFingerprint(text: "Summarize my inbox for ticket 123, please.")
        let b = PromptFingerprint(text: "  summarize MY inbox -- for ticket #98765 please!!")
        #expect(a.exact == b.exact)
        #expect(a.similarity(to: b) == 1)
    }

    @Test func aDroppedWordKeepsPromptsSimilar() {
        // 13 words ("the" thrice): 11 distinct words + 12 distinct pairs = 23 shingles. Without "quarterly":
        // 10 + 11 = 21, of which 10 + 10 are shared (only "the budget" is new): 20 of a union of 24 → 0.83.
        let a = PromptFingerprint(text: "please review the quarterly budget for the new office and list the risks")
        let b = PromptFingerprint(text: "please review the budget for the new office and list the risks")
        let similarity = a.similarity(to: b)
        #expect(abs(similarity - 20.0 / 24.0) < 1e-9)
    }

    @Test func differentPromptsOnOneTemplateAreNotTheSame() {
        // Each: 7 words + 6 pairs = 13. Shared: 4 words (summarize, the, thread, about) + 3 pairs = 7;
        // union 13 + 13 − 7 = 19 → 0.37, below the default 0.6.
        let a = PromptFingerprint(text: "Summarize the thread about budget planning offsite")
        let b = PromptFingerprint(text: "Summarize the thread about hiring senior engineers")
        #expect(abs(a.similarity(to: b) - 7.0 / 19.0) < 1e-9)
    }

    @Test func opaqueHashesOnlyMatchExactly() {
        let a = PromptFingerprint(opaqueHash: "abc")
        #expect(a.similarity(to: PromptFingerprint(opaqueHash: "abc")) == 1)
        #expect(a.similarity(to: PromptFingerprint(opaqueHash: "abd")) == 0)
        #expect(a.similarity(to: PromptFingerprint(text: "abc")) == 0)
    }

    @Test func longPromptsKeepABoundedSketch() {
        let words = (0..<500).map {
            "word\(Character(UnicodeScalar(97 + $0 % 26)!))x\(String(repeating: "y", count: $0 % 7))"
        }
        let fingerprint = PromptFingerprint(text: words.joined(separator: " "))
        #expect(fingerprint.shingles.count == PromptFingerprint.sketchSize)
        #expect(fingerprint.shingles == fingerprint.shingles.sorted())
    }
    @Test func theThresholdedComparisonAgreesWithTheFullEstimateEverywhere() {
        // The early exit of similarity(to:atLeast:) must never change an answer. The reference here is the
        // bottom-k estimator written from its definition with sets: the k smallest hashes of the union, and
        // the share of them found in both sketches.
        func reference(_ a: [UInt32], _ b: [UInt32]) -> Double {
            let union = Set(a).union(b).sorted().prefix(PromptFingerprint.sketchSize)
            let both = Set(a).intersection(b)
            return Double(union.filter { both.contains($0) }.count) / Double(union.count)
        }
        var generator = SeededRandom(seed: 7)
        for trial in 0..<3000 {
            // Sketches drawn from a small pool so that overlaps of every size occur.
            let pool = UInt32(40 + trial % 200)
            func sketch() -> [UInt32] {
                let size = 1 + Int(generator.next() % 64)
                var values = Set<UInt32>()
                while values.count < min(size, Int(pool)) { values.insert(UInt32(generator.next() % UInt64(pool))) }
                return values.sorted()
            }
            let a = PromptFingerprint(exact: generator.next(), shingles: sketch())
            let b = PromptFingerprint(exact: generator.next(), shingles: sketch())
            let expected = reference(a.shingles, b.shingles)
            #expect(abs(a.similarity(to: b) - expected) < 1e-12)
            for threshold in [0.1, 0.35, 0.5, 0.6, 0.75, 0.9, 1.0] {
                // With the cutoff of the threshold itself, and with a lower one (as the detector does once a
                // better match raised the bar).
                for answer in [
                    a.similarity(to: b, atLeast: threshold),
                    a.similarity(to: b, atLeast: threshold, cutoff: SimilarityCutoff(threshold / 2)),
                ] {
                    if expected >= threshold {
                        #expect(
                            answer.map { abs($0 - expected) < 1e-12 } == true, "trial \(trial), threshold \(threshold)")
                    } else {
                        #expect(answer == nil, "trial \(trial), threshold \(threshold): \(expected)")
                    }
                }
            }
        }
    }

    @Test func aSignatureRulesOutOnlyPairsBelowTheThreshold() {
        func ruledOut(_ a: [UInt32], _ b: [UInt32], _ threshold: Double) -> Bool {
            a.withUnsafeBufferPointer { a in
                b.withUnsafeBufferPointer { b in
                    SketchSignature(a).rulesOut(
                        size: a.count, against: SketchSignature(b), otherSize: b.count,
                        cutoff: SimilarityCutoff(threshold))
                }
            }
        }
        // Worked by hand: disjoint sketches of 4 differ in 4 bits each way, and at 0.6 sketches of 4 and 4 must
        // share 3 (3 / (8 − 3) = 0.6), so at most 1 may be missing on each side.
        #expect(ruledOut([0, 1, 2, 3], [4, 5, 6, 7], 0.6))
        // 67 and 3 set the same bit: the signatures are equal, the pair shares 3 of a union of 5 (0.6).
        #expect(!ruledOut([0, 1, 2, 3], [0, 1, 2, 67], 0.6))
        // One hash apart on each side is still allowed; two are not.
        #expect(!ruledOut([0, 1, 2, 3], [0, 1, 2, 4], 0.6))
        #expect(ruledOut([0, 1, 2, 3], [0, 1, 4, 5], 0.6))

        // Never a pair that the set-based estimate puts at or above the threshold; and it does rule pairs out.
        var generator = SeededRandom(seed: 11)
        var ruledOutCount = 0
        for trial in 0..<3000 {
            let pool = UInt64(40 + trial % 400)
            func sketch() -> [UInt32] {
                let size = 1 + Int(generator.next() % 64)
                var values = Set<UInt32>()
                while values.count < min(size, Int(pool)) { values.insert(UInt32(generator.next() % pool)) }
                return values.sorted()
            }
            let a = PromptFingerprint(exact: 1, shingles: sketch())
            let b = PromptFingerprint(exact: 2, shingles: sketch())
            let similarity = a.similarity(to: b)
            for threshold in [0.35, 0.6, 0.9] where ruledOut(a.shingles, b.shingles, threshold) {
                ruledOutCount += 1
                #expect(similarity < threshold, "trial \(trial), threshold \(threshold): \(similarity)")
            }
        }
        #expect(ruledOutCount > 1000)
    }
}

/// The byte loop of ``PromptFingerprint/init(text:)`` against the fingerprint written from its definition: the
/// text split into words on Unicode scalars (look-alike letters and fullwidth forms folded to ASCII, ASCII
/// letters in lower case; letters, digits and every other non-ASCII character make words), each word hashed,
/// the exact hash chained over the words, the sketch the smallest distinct finalised hashes of the words and
/// of each pair of neighbours.
@Suite("Prompt fingerprints from their definition")
struct PromptFingerprintDefinitionTests {
    /// What the definition makes of a list of words, each given as its bytes after folding.
    static func fingerprint(words: [[UInt8]]) -> PromptFingerprint {
        func splitmix(_ value: UInt64) -> UInt32 {
            var z = value &+ 0x9E37_79B9_7F4A_7C15
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return UInt32(truncatingIfNeeded: z ^ (z >> 31))
        }
        // A word with a digit is a number: one token for all of them.
        let hashes = words.map { word in
            word.contains { $0 >= 48 && $0 <= 57 } ? 0x9E37_79B9_7F4A_7C15 : FNV1a.hash(bytes: word)
        }
        var shingles = Set(hashes.map(splitmix))
        for (previous, next) in zip(hashes, hashes.dropFirst()) { shingles.insert(splitmix(FNV1a.mix(previous, next))) }
        return PromptFingerprint(
            exact: hashes.reduce(FNV1a.offsetBasis, FNV1a.mix),
            shingles: Array(shingles.sorted().prefix(PromptFingerprint.sketchSize)), wordCount: words.count)
    }

    /// The words of `text` by the definition, on its Unicode scalars.
    static func words(of text: String) -> [[UInt8]] {
        var words: [[UInt8]] = []
        var current: [UInt8] = []
        for scalar in text.unicodeScalars {
            var bytes = Array(String(scalar).utf8)
            if (0xFF01...0xFF5E).contains(scalar.value) {
                bytes = [UInt8(scalar.value - 0xFEE0)]
            } else if bytes.count == 2 && (0xCE...0xD1).contains(bytes[0]) {
                let latin = Confusables.latin(lead: bytes[0], trail: bytes[1])
                if latin != 0 { bytes = [latin] }
            }
            for byte in bytes {
                switch byte {
                case 65...90: current.append(byte + 32)
                case 97...122, 48...57, 0x80...: current.append(byte)
                default:
                    if !current.isEmpty { words.append(current) }
                    current = []
                }
            }
        }
        if !current.isEmpty { words.append(current) }
        return words
    }

    static func fingerprint(bytes: [UInt8]) -> PromptFingerprint {
        bytes.withUnsafeBytes { PromptFingerprint(text: $0) }
    }

    @Test func randomTextsOfEveryKindOfCharacter() {
        // ASCII of each class, look-alike Greek and Cyrillic letters (and ones that look like nothing),
        // fullwidth letters, digits and punctuation, other three-byte characters led by 0xEF, and characters
        // of two, three and four bytes that are never folded.
        let pieces = [
            "a", "Q", "z", "7", " ", ",", "-", "\n", "word", "Word", "α", "Α", "ο", "λ", "Ω", "а", "е", "О", "Р",
            "ж", "Ａ", "ｂ", "！", "０", "｟", "｡", "\u{FFFD}", "é", "中", "😀", "e\u{301}", "ı",
        ]
        var generator = SeededRandom(seed: 2026)
        for trial in 0..<20_000 {
            let text = (0..<Int(generator.next() % 40)).map { _ in pieces[Int(generator.next() % UInt64(pieces.count))]
            }
            .joined()
            let expected = Self.fingerprint(words: Self.words(of: text))
            let actual = PromptFingerprint(text: text)
            #expect(actual == expected, "trial \(trial): \(text.debugDescription)")
            if actual != expected { return }
        }
    }

    @Test func bytesThatDoNotCompleteALookAlikeAreWordBytes() {
        // Worked by hand. A lead byte at the end is a byte of the word; a lead byte before a byte that completes
        // nothing stays, with that byte, in the word; a fullwidth form cut short keeps its two bytes.
        #expect(
            Self.fingerprint(bytes: Array("ab ".utf8) + [0xCE]) == Self.fingerprint(words: [Array("ab".utf8), [0xCE]]))
        #expect(Self.fingerprint(bytes: [0xCE, 0xCE]) == Self.fingerprint(words: [[0xCE, 0xCE]]))
        #expect(Self.fingerprint(bytes: [0xEF, 0xBC]) == Self.fingerprint(words: [[0xEF, 0xBC]]))
        // 0xEF then "A": the byte and the letter, in lower case, one word.
        #expect(Self.fingerprint(bytes: [0xEF, 0x41, 0x20, 0x62]) == Self.fingerprint(words: [[0xEF, 0x61], [0x62]]))
        // EF BC 20 reads as U+FF20, the fullwidth "@": a separator.
        #expect(Self.fingerprint(bytes: [0x78, 0xEF, 0xBC, 0x20, 0x79]) == Self.fingerprint(words: [[0x78], [0x79]]))
        // A Cyrillic "о" (D0 BE) then a lone lead: "o" and the lead byte in one word.
        #expect(Self.fingerprint(bytes: [0xD0, 0xBE, 0xD1]) == Self.fingerprint(words: [[0x6F, 0xD1]]))
    }
}
