import Testing

@testable import TokenWatchCore

@Suite("Ids interned at decode")
struct IdentifierInternerTests {
    /// Where a native string's UTF-8 lies: the same address means the same storage, shared.
    private func storage(_ string: String) -> UnsafePointer<UInt8>? {
        string.utf8.withContiguousStorageIfAvailable { $0.baseAddress } ?? nil
    }

    private func intern<Facts>(
        _ interner: IdentifierInterner<Facts>, _ text: String
    ) -> IdentifierInterner<Facts>.Interned {
        Array(text.utf8).withUnsafeBytes { interner.intern($0) }
    }

    /// The second time an id comes, it is the string made the first time (one allocation for both), with the
    /// hash of its text.
    @Test func aRepeatedIdIsTheStringMadeBefore() {
        let interner = IdentifierInterner(slots: 64)
        let id = "firstname.lastname@example-corp.com"  // longer than 15 bytes: stored out of line
        let first = intern(interner, id)
        let second = intern(interner, id)
        #expect(first.text == id && second.text == id)
        #expect(storage(first.text) != nil && storage(first.text) == storage(second.text))
        #expect(second.hash == SubjectHash.hash(id))
    }

    /// The text kept is what `transform` makes of the bytes, and bytes that differ are told apart even when
    /// they give the same text; the hash is the text's, not the bytes'.
    @Test func theTransformedTextIsKeptAndTheBytesDecide() {
        let interner = IdentifierInterner(slots: 64, transform: IdentityNormalization.normalized)
        for (sent, kept) in [("Carol", "carol"), ("carol", "carol"), ("ＣＡＲＯＬ", "carol"), ("Carol", "carol")] {
            let interned = intern(interner, sent)
            #expect(interned.text == kept, "\(sent)")
            #expect(interned.hash == SubjectHash.hash(kept), "\(sent)")
        }
        let plain = IdentifierInterner(slots: 64)
        #expect(intern(plain, "Carol").text == "Carol")
    }

    /// With one pair of places every id collides with the two before: each is still given back exactly, and the cache
    /// never holds more than its slots.
    @Test func collisionsReplaceTheSlotAndNeverMixIdsUp() {
        let interner = IdentifierInterner(slots: 1)
        let ids = ["agent-platform.triage-team-23", "agent-platform.triage-team-24", "", "u1", "u1", "agent-x"]
        for round in 0..<3 {
            for id in ids {
                let interned = intern(interner, id)
                #expect(interned.text == id, "round \(round)")
                #expect(interned.hash == SubjectHash.hash(id), "round \(round)")
            }
        }
    }

    /// Ids of every length up to past 16 bytes (those compared as two words, and the longer ones compared
    /// byte by byte), each differing from the others in one byte at one place, are each their own id.
    @Test func idsThatDifferInOneByteAreToldApart() {
        let interner = IdentifierInterner(slots: 2)
        for length in 1...20 {
            let base = Array(repeating: UInt8(ascii: "a"), count: length)
            var variants = [base]
            for place in 0..<length {
                var changed = base
                changed[place] = UInt8(ascii: "b")
                variants.append(changed)
            }
            for round in 0..<2 {
                for bytes in variants {
                    let text = String(decoding: bytes, as: UTF8.self)
                    let interned = bytes.withUnsafeBytes { interner.intern($0) }
                    #expect(interned.text == text, "length \(length), round \(round)")
                }
            }
        }
    }

    /// Two ids that come in turn and whose hashes meet both stay cached: each is made, and its facts worked
    /// out, once. In a cache of a single pair of places every id meets every other; with one place per hash,
    /// two busy time zones that meet would ask the time zone database at every turn.
    @Test func twoIdsThatMeetInTheCacheBothStay() {
        var made: [String] = []
        let interner = IdentifierInterner(slots: 1, facts: { made.append($0) })
        made.removeAll()  // the empty id its places start with
        for _ in 0..<50 {
            #expect(intern(interner, "Europe/Berlin").text == "Europe/Berlin")
            #expect(intern(interner, "Africa/Nairobi").text == "Africa/Nairobi")
        }
        #expect(made == ["Europe/Berlin", "Africa/Nairobi"])
        // A third id takes the place of the one used least recently (Berlin), not of the one just used.
        _ = intern(interner, "Asia/Tokyo")
        _ = intern(interner, "Africa/Nairobi")
        _ = intern(interner, "Europe/Berlin")
        #expect(made == ["Europe/Berlin", "Africa/Nairobi", "Asia/Tokyo", "Europe/Berlin"])
    }

    /// The decoder interns what repeats: two events of one person share the strings of their ids, and the
    /// hashes that travel with each event are those of its ids as decoded, with and without normalisation
    /// (worked out again here from the event, independently of the interner).
    @Test func decodedEventsShareIdsAndCarryTheirHashes() throws {
        let payloads = [
            #"{"ts":1767225600000,"user":"Firstname.Lastname@Example-Corp.com","agent":"Triage-Agent-For-Mail","#
                + #""parent":"Firstname.Lastname@Example-Corp.com","session":"session-0000000000001","#
                + #""tz":"America/Los_Angeles","input_tokens":1,"output_tokens":1}"#,
            #"{"ts":1767225601000,"user":"Firstname.Lastname@Example-Corp.com","agent":"Triage-Agent-For-Mail","#
                + #""session":"session-0000000000001","tz":"America/Los_Angeles","input_tokens":1,"output_tokens":1}"#,
            #"{"ts":1767225602000,"user":"ｕ１","input_tokens":1,"output_tokens":1}"#,
        ]
        for normalizes in [true, false] {
            let decoder = EventDecoder(limits: .init(normalizesIdentities: normalizes))
            let decoded = payloads.map { payload in
                var payload = payload
                return payload.withUTF8 { decoder.decodeEvent(UnsafeRawBufferPointer($0)) }
            }
            for item in decoded {
                #expect(item.rejection == nil)
                #expect(item.keys == EventKeys(of: item.event))
            }
            let (first, second) = (decoded[0].event, decoded[1].event)
            #expect(
                first.user
                    == (normalizes ? "firstname.lastname@example-corp.com" : "Firstname.Lastname@Example-Corp.com"))
            #expect(storage(first.user) == storage(second.user))
            #expect(storage(first.agent!) == storage(second.agent!))
            #expect(storage(first.timeZone!) == storage(second.timeZone!))
            #expect(decoded[2].event.user == (normalizes ? "u1" : "ｕ１"))
            // The shard handed over with each event is its user's, worked out once per id by the interner.
            for item in decoded { #expect(item.shard == VirtualShard.of(user: item.event.user)) }
        }
    }

    /// The facts about an id are worked out when the id is made, and only then: a hit hands out the ones
    /// worked out before, and an id made again after a collision gets them afresh.
    @Test func factsAreWorkedOutOncePerIdMade() {
        var asked: [String] = []
        let interner = IdentifierInterner<Int>(
            slots: 1,
            facts: { text in
                asked.append(text)
                return text.utf8.count
            })
        asked.removeAll()  // the empty slots' own facts
        // One pair of places: gamma pushes out beta, the one of the two used less recently, which is made again.
        for id in ["alpha", "alpha", "alpha", "beta", "beta", "alpha", "gamma", "alpha", "beta"] {
            #expect(intern(interner, id).facts == id.utf8.count)
        }
        #expect(asked == ["alpha", "beta", "gamma", "beta"])
    }

    /// Time zones are checked once per name interned, and the answer stays right for every event that
    /// names it: a known zone is accepted each time, an unknown or path-like one refused each time.
    @Test func timeZonesAreCheckedAsTheyAreInterned() {
        let decoder = EventDecoder()
        func decode(_ zone: String) -> DecodedEvent {
            var payload = #"{"ts":1767225600000,"user":"u1","tz":"\#(zone)","input_tokens":1,"output_tokens":1}"#
            return payload.withUTF8 { decoder.decodeEvent(UnsafeRawBufferPointer($0)) }
        }
        for _ in 0..<3 {
            #expect(decode("Asia/Kolkata").rejection == nil)
            #expect(decode("Mars/Olympus_Mons").rejection?.reason == .badTimeZone)
            #expect(decode("../../etc/passwd").rejection?.reason == .badTimeZone)
            #expect(decode("").rejection?.reason == .badTimeZone)
        }
    }
}
