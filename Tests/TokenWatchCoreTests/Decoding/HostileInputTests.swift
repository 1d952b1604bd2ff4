import Foundation
import Testing
import TokenWatchSimulation

@testable import TokenWatchCore

@Suite("Hostile input")
struct HostileInputTests {
    static let corpus = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fuzz/corpus")

    /// The regression corpus (seeds and inputs libFuzzer found interesting): each decodes or is rejected with a
    /// reason, never a crash, through the whole Swift path (parse, validate, fingerprint).
    @Test func everyCorpusInputDecodesOrIsRejected() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.corpus.path)
        #expect(files.count >= 10)
        let decoder = EventDecoder()
        var outcomes: [String: Int] = [:]
        for file in files {
            let data = try Data(contentsOf: Self.corpus.appendingPathComponent(file))
            switch decoder.decode(Array(data)) {
            case .success: outcomes["ok", default: 0] += 1
            case .failure(let rejection): outcomes[rejection.reason.rawValue, default: 0] += 1
            }
        }
        #expect(outcomes["ok", default: 0] >= 3)
        #expect(outcomes.count >= 5)
    }

    /// 200 000 mutations of valid events (bytes flipped, cut, duplicated, numbers and quotes injected): the
    /// decoder answers every one, and whatever it accepts satisfies the contract.
    @Test func mutatedEventsNeverBreakTheDecoder() {
        var random = SeededRandom(seed: 99)
        let seeds = [
            #"{"ts":"2026-11-02T10:00:00Z","user":"alice","input_tokens":120,"output_tokens":30,"prompt":"Summarize my inbox"}"#,
            #"{"ts":1793577600000,"user":"u","agent":"a","parent":"a","tz":"Asia/Tokyo","prompt_hash":"p","output_hash":"o","input_tokens":0,"output_tokens":0}"#,
        ].map { Array($0.utf8) }
        let decoder = EventDecoder(limits: .init(maxPayloadBytes: 4096, maxDepth: 8, maxIdentifierBytes: 64))
        let insertions: [[UInt8]] = [
            "\"", "{", "[", "-9", "1e999", "\\u0000", "\u{FF}", ",", ":", "null", "99999999999999999999",
        ].map { Array($0.utf8) }
        var accepted = 0
        for _ in 0..<200_000 {
            let bytes = mutated(
                random.pick(seeds), insertions: insertions, times: 1...4, duplicating: true, using: &random)
            if case .success(let event) = decoder.decode(bytes) {
                accepted += 1
                #expect(!event.user.isEmpty && event.user.utf8.count <= 64)
                #expect(event.inputTokens >= 0 && event.outputTokens >= 0)
                #expect(EventDecoder.plausibleTimes.contains(event.time))
            }
        }
        #expect(accepted > 0)
    }
}
