import Testing

@testable import TokenWatchCore

/// The alert's JSON codec: what it writes, byte for byte, and what it reads back. Every expected text is
/// written out by hand from the contract (README, "Alert (out)").
@Suite("Alert payload codec")
struct AlertPayloadTests {
    // 1_795_000_000_000 ms after 1970 is 2026-11-18T11:06:40.000Z.
    static let time = EventTime(milliseconds: 1_795_000_000_000)

    static let alert = Alert(
        id: "a1b2", incident: "inc9", seq: 42, detector: DetectorName(rawValue: "agent_loop")!, severity: .critical,
        state: .firing, subject: AlertSubject(user: "alice", agent: "code-agent"), time: time,
        windowStart: EventTime(milliseconds: time.milliseconds - 600_000),
        windowEnd: EventTime(milliseconds: time.milliseconds + 250),
        observed: [
            ("iterations", .integer(20)), ("novelty", .number(0.1)), ("tool", .text("grep")),
            ("files", .list(["a.swift", "b/c.swift"])),
        ],
        threshold: [("max_iterations", .integer(12)), ("ratio", .number(2.5e-05))],
        summary: "looping \"hard\"\n\tagain", evidence: ["e1", "e2"], suppressed: 3)

    static let alertJSON =
        #"{"id":"a1b2","incident":"inc9","seq":42,"detector":"agent_loop","severity":"critical","state":"firing","#
        + #""subject":{"user":"alice","agent":"code-agent"},"ts":"2026-11-18T11:06:40.000Z","#
        + #""window":{"start":"2026-11-18T10:56:40.000Z","end":"2026-11-18T11:06:40.250Z"},"#
        + #""observed":{"iterations":20,"novelty":0.1,"tool":"grep","files":["a.swift","b/c.swift"]},"#
        + #""threshold":{"max_iterations":12,"ratio":2.5e-05},"summary":"looping \"hard\"\n\tagain","#
        + #""evidence":["e1","e2"],"suppressed":3}"#

    @Test func aDetectorAlertIsWrittenWithTheContractsKeysInOrder() {
        #expect(AlertPayload(Self.alert).json == Self.alertJSON)
        #expect(Self.alert.jsonPayload == Self.alertJSON)
    }

    @Test func everyFieldOfADetectorAlertIsReadBack() throws {
        let payload = try AlertPayload(parsing: Self.alertJSON)
        #expect(payload.id == "a1b2")
        #expect(payload.incident == "inc9")
        #expect(payload.seq == 42)
        #expect(payload.detector == "agent_loop")
        #expect(payload.severity == "critical")
        #expect(payload.state == "firing")
        #expect(!payload.isResolved)
        #expect(payload.subject == AlertSubject(user: "alice", agent: "code-agent"))
        #expect(payload.time == "2026-11-18T11:06:40.000Z")
        #expect(
            payload.window == AlertPayload.Window(start: "2026-11-18T10:56:40.000Z", end: "2026-11-18T11:06:40.250Z"))
        #expect(payload.observed.map(\.0) == ["iterations", "novelty", "tool", "files"])
        #expect(
            payload.observed.map(\.1) == [.integer(20), .number(0.1), .text("grep"), .list(["a.swift", "b/c.swift"])])
        #expect(payload.threshold.map(\.0) == ["max_iterations", "ratio"])
        #expect(payload.threshold.map(\.1) == [.integer(12), .number(2.5e-05)])
        #expect(payload.summary == "looping \"hard\"\n\tagain")
        #expect(payload.evidence == ["e1", "e2"])
        #expect(payload.suppressed == 3)
        #expect(payload.operational == nil)
        #expect(payload == AlertPayload(Self.alert))
    }

    @Test func readingThenWritingGivesTheSameBytes() throws {
        #expect(try AlertPayload(parsing: Self.alertJSON).json == Self.alertJSON)
        let resolved =
            #"{"id":"r1","incident":"inc9","seq":43,"detector":"agent_loop","severity":"warning","state":"resolved","#
            + #""subject":{"agent":"bot"},"ts":"2026-11-18T11:16:40.000Z","#
            + #""window":{"start":"2026-11-18T10:56:40.000Z","end":"2026-11-18T11:06:40.000Z"},"#
            + #""observed":{},"threshold":{},"summary":"cleared: x","evidence":[],"suppressed":0}"#
        let payload = try AlertPayload(parsing: resolved)
        #expect(payload.isResolved)
        #expect(payload.subject == AlertSubject(agent: "bot"))
        #expect(payload.json == resolved)
    }

    /// An integer stays an integer and a number a number, whatever its value; a number that is not finite is
    /// written as null and read back as one that is not.
    @Test func figuresKeepTheirKind() throws {
        let text =
            #"{"id":"f","detector":"d","state":"firing","ts":"t","observed":{"#
            + #""n":8.0,"i":8,"e":1e+20,"neg":-3,"big":9007199254740993,"z":null},"threshold":{}}"#
        let payload = try AlertPayload(parsing: text)
        #expect(payload.observed.map(\.0) == ["n", "i", "e", "neg", "big", "z"])
        #expect(payload.observed[0].1 == .number(8.0))
        #expect(payload.observed[1].1 == .integer(8))
        #expect(payload.observed[2].1 == .number(1e20))
        #expect(payload.observed[3].1 == .integer(-3))
        #expect(payload.observed[4].1 == .integer(9_007_199_254_740_993))
        guard case .number(let notFinite) = payload.observed[5].1 else {
            Issue.record("null is not read as a number")
            return
        }
        #expect(notFinite.isNaN)
        #expect(
            payload.json
                == #"{"id":"f","detector":"d","severity":"","state":"firing","ts":"t","observed":{"#
                + #""n":8.0,"i":8,"e":1e+20,"neg":-3,"big":9007199254740993,"z":null},"threshold":{},"#
                + #""summary":"","evidence":[]}"#)
    }

    /// Escapes, surrogate pairs and text outside ASCII are read as the characters they stand for.
    @Test func textIsUnescaped() throws {
        let text =
            #"{"id":"\u00e9\ud83d\ude00","detector":"d","state":"firing","ts":"t","#
            + #""summary":"a\/b \"q\" \\ \b\f\n\r\t\u0007 é"}"#
        let payload = try AlertPayload(parsing: text)
        #expect(payload.id == "é😀")
        #expect(payload.summary == "a/b \"q\" \\ \u{8}\u{c}\n\r\t\u{7} é")
    }

    /// An alert about TokenWatch itself: sorted keys, `/` escaped, no incident, seq, window or figures.
    @Test func anOperationalAlertIsWrittenInItsOwnShape() throws {
        let payload = AlertPayload(
            id: "op1", detector: "tokenwatch", severity: "critical", state: "firing", subject: AlertSubject(),
            time: "2026-11-18T11:06:40.000Z", summary: "reload refused: /etc/tokenwatch.yaml",
            operational: .init(name: "reload_failed", details: ["line 3: bad\u{8}key"]))
        let expected =
            #"{"details":["line 3: bad\bkey"],"detector":"tokenwatch","id":"op1","name":"reload_failed","#
            + #""severity":"critical","state":"firing","subject":{},"#
            + #""summary":"reload refused: \/etc\/tokenwatch.yaml","ts":"2026-11-18T11:06:40.000Z"}"#
        #expect(payload.json == expected)
        let read = try AlertPayload(parsing: expected)
        #expect(read.operational == AlertPayload.Operational(name: "reload_failed", details: ["line 3: bad\u{8}key"]))
        #expect(read.incident == nil)
        #expect(read.seq == nil)
        #expect(read.json == expected)
    }

    @Test(arguments: [
        (#"{"id":"a""#, "alert payload is not JSON: at byte 9, expected ',' or '}'"),
        (#"{"id":"a",}"#, "alert payload is not JSON: at byte 10, expected a key"),
        ("", "alert payload is not JSON: at byte 0, expected a value"),
        (#"{"id":"a"} x"#, "alert payload is not JSON: at byte 11, expected the end of the text"),
        (#"{"id":"a\x"}"#, #"alert payload is not JSON: at byte 9, expected one of \" \\ \/ \b \f \n \r \t \u"#),
        (#"[{"id":"a"}]"#, "alert payload is not a JSON object but a list"),
        (#"{"detector":"d","state":"firing","ts":"t"}"#, "alert payload has no `id`: every alert has one"),
        (
            #"{"id":"a","seq":"7","detector":"d","state":"firing","ts":"t"}"#,
            "alert payload's `seq` must be a whole number, 0 or more, not text"
        ),
        (
            #"{"id":"a","seq":-1,"detector":"d","state":"firing","ts":"t"}"#,
            "alert payload's `seq` must be a whole number, 0 or more, not a number"
        ),
        (
            #"{"id":"a","detector":"d","state":"firing","ts":"t","subject":{"user":5}}"#,
            "alert payload's `subject.user` must be text, not a number"
        ),
        (
            #"{"id":"a","detector":"d","state":"firing","ts":"t","observed":{"x":true}}"#,
            "alert payload's `observed.x` must be a number, text or a list of text, not true or false"
        ),
        (
            #"{"id":"a","detector":"d","state":"firing","ts":"t","evidence":["e1",2]}"#,
            "alert payload's `evidence` must be a list of text, not a number"
        ),
        (
            #"{"id":"a","detector":"d","state":"firing","ts":"t","window":{"start":"s"}}"#,
            "alert payload has no `window.end`: a window has a start and an end"
        ),
    ])
    func aMalformedPayloadSaysWhatAndWhere(text: String, message: String) {
        #expect(throws: AlertPayloadError.self) { try AlertPayload(parsing: text) }
        do throws(AlertPayloadError) {
            _ = try AlertPayload(parsing: text)
        } catch {
            #expect(error.description == message)
        }
    }

    @Test func nestingIsBounded() {
        let deep = String(repeating: "[", count: 100) + String(repeating: "]", count: 100)
        do throws(AlertPayloadError) {
            _ = try AlertPayload(parsing: deep)
            Issue.record("a document nested 100 deep was read")
        } catch {
            #expect(error.code == .notJSON)
            #expect(error.offset == 64)
        }
    }

    @Test func aJournalLineIsReadWithItsAlertInOnePass() throws {
        let line = #"{"seq":42,"topic":"alert.agent_loop.critical","topic_seq":7,"alert":"# + Self.alertJSON + "}"
        let journaled = try #require(JournalEntry.read(line[...]))
        #expect(journaled.entry.seq == 42)
        #expect(journaled.entry.topic == "alert.agent_loop.critical")
        #expect(journaled.entry.topicSequence == 7)
        #expect(journaled.entry.payload == Self.alertJSON)
        #expect(journaled.entry.line == line)
        #expect(try journaled.alert.get() == AlertPayload(Self.alert))
        #expect(JournalEntry(line: line[...]) == journaled.entry)
        // A torn write: the line ends inside the alert.
        #expect(JournalEntry(line: line.dropLast(20)) == nil)
        #expect(JournalEntry(line: #"{"seq":1,"topic":"t","topic_seq":0,"alert":{"id":"a"}"#) == nil)
        let notAnAlert = try #require(JournalEntry.read(#"{"seq":1,"topic":"t","topic_seq":0,"alert":{"id":"a"}}"#))
        #expect(throws: AlertPayloadError(code: .missingKey, key: "detector", detail: "every alert has one")) {
            try notAnAlert.alert.get()
        }
    }

    /// A catch-up reply is read once: each of its journal lines is taken from the reply's parse, its payload cut
    /// from the reply's text.
    @Test func journalLinesInAReplyAreReadFromTheRepliesParse() throws {
        let lines = [
            #"{"seq":7,"topic":"alert.agent_loop.critical","topic_seq":0,"alert":"# + Self.alertJSON + "}",
            #"{"seq":8,"topic":"alert.d.warning","topic_seq":1,"alert":{"id":"b","detector":"d","state":"firing","ts":"t"}}"#,
        ]
        let reply = try JSONReader.read(#"{"next":9,"alerts":["# + lines.joined(separator: ",") + "]}")
        guard case .array(let parsed)? = reply["alerts"] else {
            Issue.record("the reply has no list of alerts")
            return
        }
        let read = zip(lines, parsed).compactMap { JournalEntry.read($0[...], parsed: $1) }
        #expect(read.map(\.entry.seq) == [7, 8])
        #expect(read.map(\.entry.payload) == [Self.alertJSON, #"{"id":"b","detector":"d","state":"firing","ts":"t"}"#])
        #expect(try read[0].alert.get() == AlertPayload(Self.alert))
        #expect(try read[1].alert.get().id == "b")
        #expect(read.map(\.entry) == lines.compactMap { JournalEntry(line: $0[...]) })
    }
}
