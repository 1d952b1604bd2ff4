import Testing

@testable import TokenWatchCore

@Suite("Event decoding and validation")
struct EventDecoderTests {
    let decoder = EventDecoder()

    // 2026-11-02T00:00:00Z: 20759 days after 1970-01-01 (2026-01-01 is day 20454, plus 305), × 86 400 000 ms.
    static let monday = Int64(20759) * 86_400_000

    @Test func decodesEveryFieldOfTheContract() throws {
        let payload = """
            {"ts":"2026-11-02T00:00:00Z","user":"alice","input_tokens":120,"output_tokens":30,"id":"e1",\
            "agent":"triage","parent":"alice","session":"s1","model":"m","tool":"mail","team":"t","tz":"Europe/Berlin",\
            "prompt":"Hello there","prompt_hash":"p1","output_hash":"o1","extra":{"ignored":[1,2,3]}}
            """
        let event = try decoder.decode(payload).get()
        #expect(event.time.milliseconds == Self.monday)
        #expect(event.user == "alice")
        #expect(event.inputTokens == 120 && event.outputTokens == 30 && event.totalTokens == 150)
        #expect(event.id == "e1" && event.agent == "triage" && event.parent == "alice")
        #expect(event.session == "s1" && event.model == "m" && event.tool == "mail" && event.team == "t")
        #expect(event.timeZone == "Europe/Berlin" && event.promptHash == "p1" && event.outputHash == "o1")
        // Text wins over the publisher's hash for the fingerprint.
        #expect(event.prompt == PromptFingerprint(text: "hello THERE!"))
    }

    @Test(arguments: [
        ("2026-11-02T00:00:00Z", monday),
        ("2026-11-02t00:00:00z", monday),
        ("2026-11-02T01:30:00+01:00", monday + 30 * 60_000),
        ("2026-11-01T23:00:00-01:00", monday),
        ("2026-11-02T00:00:00.25Z", monday + 250),
        ("2026-11-02T00:00:00.123456Z", monday + 123),
    ])
    func parsesRFC3339Times(text: String, expected: Int64) throws {
        let event = try decoder.decode(#"{"ts":"\#(text)","user":"u","input_tokens":1,"output_tokens":1}"#).get()
        #expect(event.time.milliseconds == expected)
    }

    /// The form publishers nearly always send, read as words before the general parser, gives what that parser
    /// gives, and refuses what it refuses.
    @Test(arguments: [
        ("2026-11-02T00:00:00.000Z", monday as Int64?),
        ("2026-11-02T23:59:59.999Z", monday + 86_399_999),
        ("2026-11-02T00:00:60.000Z", monday + 59_000),  // a leap second is held at :59
        ("2026-11-02T00:01:00.007Z", monday + 60_007),
        ("2026-02-29T00:00:00.000Z", nil),  // 2026 is not a leap year
        ("2026-11-31T00:00:00.000Z", nil),
        ("2026-13-02T00:00:00.000Z", nil),
        ("2026-11-02T24:00:00.000Z", nil),
        ("2026-11-02T00:60:00.000Z", nil),
        ("2026-11-0aT00:00:00.000Z", nil),
        ("2026-11-02X00:00:00.000Z", nil),
        ("2026-11-02T00:00:00.000+", nil),
    ])
    func readsTheUsualTimeFormAsTheGeneralParserDoes(text: String, expected: Int64?) {
        let result = decoder.decode(#"{"ts":"\#(text)","user":"u","input_tokens":1,"output_tokens":1}"#)
        switch result {
        case .success(let event): #expect(event.time.milliseconds == expected)
        case .failure(let rejection): #expect(expected == nil && rejection.reason == .badTimestamp)
        }
    }

    /// Storage the caller reuses holds the new outcome only: nothing of the event it held before stays.
    @Test func decodingIntoUsedStorageReplacesEverything() throws {
        let full = """
            {"ts":"2026-11-02T00:00:00Z","user":"alice","input_tokens":120,"output_tokens":30,"id":"e1",\
            "agent":"triage","parent":"alice","session":"s1","model":"m","tool":"mail","team":"t","tz":"Europe/Berlin",\
            "prompt":"Hello there","prompt_hash":"p1","output_hash":"o1"}
            """
        let bare = #"{"ts":\#(Self.monday + 7),"user":"bob","input_tokens":1,"output_tokens":2}"#
        var storage = Array(full.utf8).withUnsafeBytes { decoder.decodeEvent($0) }
        #expect(storage.event.agent == "triage" && storage.rejection == nil)
        storage = Array(bare.utf8).withUnsafeBytes { decoder.decodeEvent($0) }
        let time = EventTime(milliseconds: Self.monday + 7)
        let expected = TokenEvent(time: time, user: "bob", inputTokens: 1, outputTokens: 2)
        #expect(storage.event == expected && storage.rejection == nil)
        #expect(storage.keys == EventKeys(of: expected) && storage.idHash == 0)
        #expect(storage.shard == VirtualShard.of(user: "bob"))
        storage = Array("{}".utf8).withUnsafeBytes { decoder.decodeEvent($0) }
        #expect(storage.rejection?.reason == .missingField && storage.event.user.isEmpty)
    }

    @Test func acceptsEpochMilliseconds() throws {
        let event = try decoder.decode(#"{"ts":\#(Self.monday + 7),"user":"u","input_tokens":0,"output_tokens":0}"#)
            .get()
        #expect(event.time.milliseconds == Self.monday + 7)
    }

    @Test func formatsEventTimeAsRFC3339() {
        #expect(EventTime(milliseconds: Self.monday + 3_723_004).rfc3339 == "2026-11-02T01:02:03.004Z")
        #expect(EventTime(milliseconds: 0).rfc3339 == "1970-01-01T00:00:00.000Z")
        #expect(EventTime(rfc3339: "2024-02-29T12:00:00Z")?.rfc3339 == "2024-02-29T12:00:00.000Z")
        #expect(EventTime(rfc3339: "2023-02-29T12:00:00Z") == nil)
    }

    @Test(arguments: [
        ("{\"ts\":", RejectionReason.malformedJSON, nil as String?),
        ("[1,2]", .notAnObject, nil),
        ("{\"user\":\"u\",\"input_tokens\":1,\"output_tokens\":1}", .missingField, "ts"),
        ("{\"ts\":0,\"input_tokens\":1,\"output_tokens\":1}", .missingField, "user"),
        ("{\"ts\":\"2026-11-02T00:00:00Z\",\"user\":\"u\",\"output_tokens\":1}", .missingField, "input_tokens"),
        ("{\"ts\":\"2026-11-02T00:00:00Z\",\"user\":\"u\",\"input_tokens\":1}", .missingField, "output_tokens"),
        ("{\"ts\":\"2026-11-02T00:00:00Z\",\"user\":\"\",\"input_tokens\":1,\"output_tokens\":1}", .emptyField, "user"),
        ("{\"ts\":\"2026-11-02T00:00:00Z\",\"user\":7,\"input_tokens\":1,\"output_tokens\":1}", .wrongType, "user"),
        (
            "{\"ts\":\"2026-11-02T00:00:00Z\",\"user\":\"u\",\"input_tokens\":\"1\",\"output_tokens\":1}", .wrongType,
            "input_tokens"
        ),
        (
            "{\"ts\":\"2026-11-02T00:00:00Z\",\"user\":\"u\",\"input_tokens\":1.5,\"output_tokens\":1}", .wrongType,
            "input_tokens"
        ),
        (
            "{\"ts\":\"2026-11-02T00:00:00Z\",\"user\":\"u\",\"input_tokens\":-1,\"output_tokens\":1}", .outOfRange,
            "input_tokens"
        ),
        (
            "{\"ts\":\"2026-11-02T00:00:00Z\",\"user\":\"u\",\"input_tokens\":1,\"output_tokens\":99999999999}",
            .outOfRange, "output_tokens"
        ),
        (
            "{\"ts\":\"2026-11-02T00:00:00Z\",\"user\":\"u\",\"input_tokens\":1,\"output_tokens\":18446744073709551615}",
            .outOfRange, "output_tokens"
        ),
        ("{\"ts\":\"yesterday\",\"user\":\"u\",\"input_tokens\":1,\"output_tokens\":1}", .badTimestamp, "ts"),
        (
            "{\"ts\":\"2026-13-02T00:00:00Z\",\"user\":\"u\",\"input_tokens\":1,\"output_tokens\":1}", .badTimestamp,
            "ts"
        ),
        ("{\"ts\":\"2026-11-02T00:00:00\",\"user\":\"u\",\"input_tokens\":1,\"output_tokens\":1}", .badTimestamp, "ts"),
        ("{\"ts\":1762041600,\"user\":\"u\",\"input_tokens\":1,\"output_tokens\":1}", .outOfRange, "ts"),
        ("{\"ts\":true,\"user\":\"u\",\"input_tokens\":1,\"output_tokens\":1}", .wrongType, "ts"),
        (
            "{\"ts\":0,\"user\":\"u\",\"input_tokens\":1,\"output_tokens\":1,\"x\":[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]}",
            .tooDeep, nil
        ),
    ])
    func rejectsBadPayloadsWithAReason(payload: String, reason: RejectionReason, field: String?) {
        #expect(decoder.decode(payload) == .failure(EventRejection(reason, field: field)))
    }

    @Test func rejectsInvalidUTF8() {
        var bytes = Array(#"{"ts":0,"user":"u"#.utf8)
        bytes += [0xC3, 0x28]  // a lead byte followed by a non-continuation byte
        bytes += Array(#"","input_tokens":1,"output_tokens":1}"#.utf8)
        #expect(decoder.decode(bytes) == .failure(EventRejection(.invalidUTF8)))
    }

    @Test func rejectsOversizedPayloadsAndIdentifiers() {
        let small = EventDecoder(limits: .init(maxPayloadBytes: 300, maxIdentifierBytes: 8))
        let long = String(repeating: "x", count: 400)
        #expect(
            small.decode(#"{"ts":0,"user":"\#(long)","input_tokens":1,"output_tokens":1}"#)
                == .failure(EventRejection(.tooLarge)))
        #expect(
            small.decode(#"{"ts":"2026-11-02T00:00:00Z","user":"123456789","input_tokens":1,"output_tokens":1}"#)
                == .failure(EventRejection(.fieldTooLong, field: "user")))
    }

    @Test func treatsNullOptionalFieldsAsAbsent() throws {
        let event = try decoder.decode(
            #"{"ts":"2026-11-02T00:00:00Z","user":"u","input_tokens":1,"output_tokens":1,"agent":null}"#
        ).get()
        #expect(event.agent == nil)
    }

    @Test func fingerprintsFromPromptHashWhenNoTextIsSent() throws {
        let event = try decoder.decode(
            #"{"ts":"2026-11-02T00:00:00Z","user":"u","input_tokens":1,"output_tokens":1,"prompt_hash":"abc"}"#
        ).get()
        #expect(event.prompt == PromptFingerprint(opaqueHash: "abc"))
        #expect(event.prompt?.shingles.isEmpty == true)
    }
}
