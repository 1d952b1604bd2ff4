import Foundation
import Testing

@testable import TokenWatchCore

/// One person is one subject, one prompt one prompt, one event one event, however a publisher spells them.
@Suite("Identity evasion")
struct IdentityEvasionTests {
    static func payload(user: String, id: String, minute: Int, prompt: String = "summarise the quarterly budget review")
        -> String
    {
        let escaped = user.unicodeScalars.map { $0.isASCII ? String($0) : "\\u" + String(format4($0.value)) }.joined()
        return #"{"ts":"2026-11-02T10:\#(minute < 10 ? "0" : "")\#(minute):00Z","id":"\#(id)","user":"\#(escaped)","#
            + #""input_tokens":10,"output_tokens":5,"prompt":"\#(prompt)"}"#
    }

    static func format4(_ value: UInt32) -> String {
        let hex = String(value, radix: 16)
        return String(repeating: "0", count: 4 - hex.count) + hex
    }

    @Test(arguments: ["José", "Jose\u{301}", "JOSÉ", " josé ", "ｊｏｓé"])
    func spellingsOfOneIdAreOneId(spelling: String) throws {
        let decoder = EventDecoder()
        let event = try decoder.decode(Self.payload(user: spelling, id: "e", minute: 0)).get()
        #expect(event.user == "jos\u{E9}")
    }

    @Test func normalisationCanBeTurnedOff() throws {
        let decoder = EventDecoder(limits: .init(normalizesIdentities: false))
        let event = try decoder.decode(Self.payload(user: "Carol ", id: "e", minute: 0)).get()
        #expect(event.user == "Carol ")
    }

    /// 28 repeats split among four spellings of carol: 7 each, under the default 8 if counted apart.
    @Test func repeatsSplitAmongSpellingsAreOnePersonsRepeats() {
        let decoder = EventDecoder()
        var engine = DetectionEngine(configuration: TokenWatchConfiguration())
        var alerts: [Alert] = []
        let spellings = ["carol", "Carol", "carol ", "ｃａｒｏｌ"]
        for n in 0..<28 {
            var decoded = DecodedEvent(decoder.decode(Self.payload(user: spellings[n % 4], id: "c\(n)", minute: n * 2)))
            let refusal = engine.admit(&decoded, into: &alerts)
            #expect(refusal == nil)
        }
        #expect(alerts.contains { $0.detector == .repetitivePrompts && $0.subject.user == "carol" })
    }

    @Test func lookAlikeLettersAndFullwidthFormsDoNotSplitAPrompt() {
        let latin = PromptFingerprint(text: "Please summarize the quarterly report")
        // Cyrillic а, е, о, р, с and Greek ο in place of Latin letters; then fullwidth forms.
        let cyrillic = PromptFingerprint(text: "Plеаsе summаrizе thе quаrtеrly rеpοrt")
        let fullwidth = PromptFingerprint(text: "Ｐｌｅａｓｅ ｓｕｍｍａｒｉｚｅ the quarterly report")
        #expect(cyrillic.exact == latin.exact)
        #expect(fullwidth.exact == latin.exact)
        // Text really written in those scripts still tells its words apart.
        #expect(PromptFingerprint(text: "привет мир").exact != PromptFingerprint(text: "пока мир").exact)
        #expect(PromptFingerprint(text: "привет мир").wordCount == 2)
    }

    /// The same event sent twelve times is one event: eleven are refused as `duplicate_id`.
    @Test func anEventSentAgainIsCountedOnce() {
        let decoder = EventDecoder()
        var engine = DetectionEngine(configuration: TokenWatchConfiguration())
        var alerts: [Alert] = []
        var refused: [RejectionReason] = []
        for _ in 0..<12 {
            var decoded = DecodedEvent(decoder.decode(Self.payload(user: "dave", id: "same-id", minute: 5)))
            if let rejection = engine.admit(&decoded, into: &alerts) { refused.append(rejection.reason) }
        }
        #expect(refused == Array(repeating: .duplicateID, count: 11))
        #expect(engine.eventsProcessed == 1)
        #expect(alerts.isEmpty)
    }

    @Test func theWindowForgetsTheOldestIdsFirst() throws {
        var recent = RecentEventIDs(capacity: 2)
        let seen = ["a", "b", "a", "c", "b", "a"].map { recent.isRepeat($0) }
        // c pushes a out (the oldest arrival); b is still there; a, forgotten, is new again.
        #expect(seen == [false, false, true, false, true, false])
        // A checkpoint keeps the window: the restored one still knows c and a, and has forgotten b.
        let restored = try JSONDecoder().decode(RecentEventIDs.self, from: JSONEncoder().encode(recent))
        var copy = restored
        #expect([copy.isRepeat("c"), copy.isRepeat("a"), copy.isRepeat("b")] == [true, true, false])
    }
}
