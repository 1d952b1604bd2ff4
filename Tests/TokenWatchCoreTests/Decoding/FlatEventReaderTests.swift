import CEventJSON
import Foundation
import Testing
import TokenWatchSimulation

/// The event parser answers for plain one-level objects with its flat reader, in front of simdjson's DOM: every
/// payload must come out exactly as the DOM alone reads it (the same status, the same field named in an error,
/// the same values).
@Suite("Flat event reader against simdjson's DOM")
struct FlatEventReaderTests {
    static let corpus = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
        .appendingPathComponent("Fuzz/corpus")

    /// Two parsers, since strings point into the parser that read them.
    final class Parsers {
        let parser = tw_parser_create(4096, 16)!
        let reference = tw_parser_create(4096, 16)!
        deinit {
            tw_parser_destroy(parser)
            tw_parser_destroy(reference)
        }

        func expectSame(_ payload: [UInt8], sourceLocation: SourceLocation = #_sourceLocation) {
            let (status, fields, field) = parse(payload, tw_parse_event, parser)
            let (expected, expectedFields, expectedField) = parse(payload, tw_parse_event_dom, reference)
            let shown = String(decoding: payload.prefix(120), as: UTF8.self)
            #expect(status == expected, "\(shown)", sourceLocation: sourceLocation)
            #expect(field == expectedField, "\(shown)", sourceLocation: sourceLocation)
            if status == TW_OK && expected == TW_OK {
                #expect(fields == expectedFields, "\(shown)", sourceLocation: sourceLocation)
            }
        }

        private typealias Parse = (
            OpaquePointer?, UnsafeRawPointer?, Int, UnsafeMutablePointer<tw_event_fields>?,
            UnsafeMutablePointer<UnsafePointer<CChar>?>?
        ) -> tw_status

        /// The status, the values as text (nil for an absent string) and the field an error names.
        private func parse(_ payload: [UInt8], _ parse: Parse, _ parser: OpaquePointer)
            -> (tw_status, [String?], String?)
        {
            var fields = tw_event_fields()
            var field: UnsafePointer<CChar>?
            let status = payload.withUnsafeBytes { parse(parser, $0.baseAddress, $0.count, &fields, &field) }
            let strings = [
                fields.user, fields.id, fields.agent, fields.parent, fields.session, fields.model, fields.tool,
                fields.team, fields.tz, fields.prompt, fields.prompt_hash, fields.output_hash,
            ].map { string in
                string.data.map {
                    String(decoding: UnsafeRawBufferPointer(start: $0, count: string.length), as: UTF8.self)
                }
            }
            let numbers = [fields.ts_ms, fields.input_tokens, fields.output_tokens].map { String($0) }
            return (status, numbers + strings, field.map { String(cString: $0) })
        }
    }

    static let plain = #"{"ts":"2026-11-02T10:00:00Z","user":"alice","input_tokens":120,"output_tokens":30"#

    @Test(arguments: [
        plain + "}", plain + #","prompt":"Summarize my inbox"}"#, " \n\t" + plain + "}\r\n ", plain + "} x",
        plain + ",}", "{}", "[]", "", "\u{FEFF}" + plain + "}", plain + #","ts":1793577600000}"#,
        plain + #","prompt":"a\"b\\c\/d\b\f\n\r\t"}"#, plain + #","prompt":"\u00e9\u0041\u20AC\u0000"}"#,
        plain + #","prompt":"\ud83d\ude00"}"#, plain + #","prompt":"\ud83d"}"#, plain + #","prompt":"\x"}"#,
        plain + #","prompt":"\u12"}"#, plain + #","us\u0065r":"bob"}"#, plain + #","user":"bob","user":"carol"}"#,
        plain + #","user":null}"#, plain + #","user":7}"#, plain + #","user":true}"#, plain + #","extra":false}"#,
        plain + #","extra":nul}"#, plain + #","extra":[1,{"a":2}]}"#, plain + #","extra":-1}"#,
        plain + #","extra":1.5}"#, plain + #","extra":1e3}"#, plain + #","input_tokens":0}"#,
        plain + #","input_tokens":01}"#, plain + #","input_tokens":-0}"#, plain + #","input_tokens":"5"}"#,
        plain + #","input_tokens":999999999999999999}"#, plain + #","input_tokens":9223372036854775807}"#,
        plain + #","input_tokens":9223372036854775808}"#, plain + #","input_tokens":null}"#,
        plain + #","ts":"2026-13-02T10:00:00Z"}"#, plain + #","ts":1.5}"#, plain + #","ts":-5}"#,
        plain + #","prompt":"José ΑΒΓ ｓｕｍ 日本 🙂"}"#, plain + #","tz":"Europe/Berlin"  ,  "agent" : "a" }"#,
        plain + ",\"prompt\":\"tab\tinside\"}", plain + #","prompt":"ok"}"# + "\u{0}",
        #"{"user":"u","input_tokens":1,"output_tokens":1}"#,
        #"{"ts":1793577600000,"input_tokens":1,"output_tokens":1}"#,
    ])
    func handwrittenPayloadsMatch(_ payload: String) {
        Parsers().expectSame(Array(payload.utf8))
    }

    @Test func invalidUTF8Matches() {
        let parsers = Parsers()
        for bytes: [UInt8] in [
            [0xC0, 0x80], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xE0, 0x9F, 0xBF], [0xFF], [0xC3],
        ] {
            parsers.expectSame(Array((Self.plain + #","prompt":"a"#).utf8) + bytes + Array(#"b"}"#.utf8))
            parsers.expectSame(Array((Self.plain + #",""#).utf8) + bytes + Array(#"":1}"#.utf8))
        }
    }

    @Test func corpusInputsMatch() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.corpus.path)
        #expect(files.count >= 10)
        let parsers = Parsers()
        for file in files { parsers.expectSame(Array(try Data(contentsOf: Self.corpus.appendingPathComponent(file)))) }
    }

    /// 20 000 mutations of events (bytes changed, cut, repeated, tokens inserted): the same answer every time.
    @Test func mutatedEventsMatch() {
        var random = SeededRandom(seed: 7)
        let seeds = [
            Self.plain + #","id":"ev-1","prompt":"Summarize \"this\" thread\n","tz":"Asia/Tokyo"}"#,
            #"{"ts":1793577600000,"user":"u","agent":"a","parent":"a","prompt_hash":"p","output_hash":"o","input_tokens":0,"output_tokens":0,"flag":true}"#,
        ].map { Array($0.utf8) }
        let insertions: [[UInt8]] = [
            "\"", "{", "[", "-9", "1e9", "\\u0000", "\\n", "\\ud800", "\u{FF}", "é", ",", ":", "null", "true", " ",
            "0", "99999999999999999999", "\u{0}",
        ].map { Array($0.utf8) }
        let parsers = Parsers()
        // 20 000 here, in every test run; `make fuzz` compares the two readers over millions.
        for _ in 0..<20_000 {
            let bytes = mutated(
                random.pick(seeds), insertions: insertions, times: 1...3, duplicating: false, using: &random)
            parsers.expectSame(bytes)
        }
    }
}
