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
