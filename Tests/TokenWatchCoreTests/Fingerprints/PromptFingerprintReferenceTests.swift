import Foundation
import Testing
import TokenWatchSimulation

@testable import TokenWatchCore

/// The shipped fingerprint (`CPromptFingerprint`) against the Swift reference (``ReferencePromptFingerprint``):
/// the same exact hash, sketch and word count for every text, since the values feed the detectors and are kept
/// in checkpoints.
@Suite("Prompt fingerprint against its reference")
struct PromptFingerprintReferenceTests {
    static let corpus = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
        .appendingPathComponent("Fuzz/corpus")

    static func expectSame(_ bytes: [UInt8], sourceLocation: SourceLocation = #_sourceLocation) {
        bytes.withUnsafeBytes { text in
            let shipped = PromptFingerprint(text: text)
            let reference = ReferencePromptFingerprint.fingerprint(text)
            #expect(shipped == reference, "\(bytes.prefix(80))", sourceLocation: sourceLocation)
        }
    }

    @Test(arguments: [
        "", " ", "a", "A", "ok", "...!!!", " \t\n\r,;:-_/\\()[]{}\"'", "0", "123 456", "v2 build 3.14",
        "Summarize my inbox for ticket 123, please.", "  summarize MY inbox -- for ticket #98765 please!!",
        "the the the the", "José Müller straße", "ΑΒΓ αβγ ορ", "Сыр сок РОК", "ｓｕｍｍａｒｉｚｅ　ＭＹ　ｉｎｂｏｘ！",
        "日本語のテキスト 漢字", "emoji 🙂 👍🏽 done", "e\u{301}te\u{301}", "\u{FEFF}bom", "tab\tand\u{0}nul",
    ])
    func handwrittenTextsMatch(_ text: String) {
        Self.expectSame(Array(text.utf8))
    }

    /// Bytes that are not well-formed UTF-8: look-alike lead bytes cut short or followed by anything.
    @Test func truncatedAndMalformedSequencesMatch() {
        let tails: [[UInt8]] = [
            [0xCE], [0xD0], [0xD1, 0x20], [0xEF], [0xEF, 0xBC], [0xEF, 0xBD], [0xEF, 0xBC, 0x21], [0xEF, 0xBD, 0x9E],
            [0xEF, 0xBD, 0xBF], [0xEF, 0x41, 0x42], [0xCE, 0x41], [0xD0, 0xB0, 0xCE], [0x80, 0xBF], [0xFF, 0xFE],
        ]
        for tail in tails {
            Self.expectSame(tail)
            Self.expectSame(Array("word ".utf8) + tail)
            Self.expectSame(Array("word".utf8) + tail + Array("next".utf8))
        }
    }

    /// Long texts: more than the sketch keeps (64 values), and beyond the reference's switch to a library sort.
    @Test(arguments: [1, 20, 47, 48, 60, 200, 5_000])
    func longTextsMatch(words: Int) {
        var random = SeededRandom(seed: UInt64(words))
        let vocabulary = ["alpha", "Beta", "gamma", "DELTA", "eps1lon", "zeta", "eta", "théta", "ιοτα", "kappa"]
        let text = (0..<words).map { index in
            random.pick(vocabulary) + (random.chance(0.3) ? String(index) : "")
        }.joined(separator: random.chance(0.5) ? " " : ", ")
        Self.expectSame(Array(text.utf8))
        Self.expectSame(Array(String(repeating: "same ", count: words).utf8))
    }

    /// Every input of the fuzzing corpus, whole, as text.
    @Test func corpusInputsMatch() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.corpus.path)
        #expect(files.count >= 10)
        for file in files {
            Self.expectSame(Array(try Data(contentsOf: Self.corpus.appendingPathComponent(file))))
        }
    }

    /// Random bytes drawn mostly from the ones the pass treats apart: letters of both cases, digits, separators,
    /// look-alike lead bytes and the bytes that follow them.
    @Test func randomBytesMatch() {
        var random = SeededRandom(seed: 33)
        let interesting: [UInt8] =
            Array("aZm09 ,.-\t".utf8) + [0xCE, 0xCF, 0xD0, 0xD1, 0xEF, 0xBC, 0xBD, 0x91, 0xB1, 0x80]
        for _ in 0..<20_000 {
            let count = Int.random(in: 0...40, using: &random)
            let bytes = (0..<count).map { _ in
                random.chance(0.8) ? random.pick(interesting) : UInt8.random(in: 0...255, using: &random)
            }
            Self.expectSame(bytes)
        }
    }

    @Test(arguments: ["", "p", "sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", "日本"])
    func opaqueHashesMatch(_ hash: String) {
        #expect(PromptFingerprint.exact(opaqueHash: hash) == ReferencePromptFingerprint.exact(opaqueHash: hash))
        #expect(PromptFingerprint(opaqueHash: hash).exact == ReferencePromptFingerprint.exact(opaqueHash: hash))
    }
}
