import Foundation
import Testing
import TokenWatchCore

@testable import TokenWatchOTLP

@Suite struct LogTranslationTests {
    let translator = LogRecordTranslator(settings: BridgeConfiguration(), limits: EventDecoder.Limits())

    static func claudeCodeRecord(time: UInt64 = 1_795_000_000_500_000_000) -> OTLPLogRecord {
        OTLPLogRecord.with {
            $0.timeUnixNano = time
            $0.body.stringValue = "claude_code.api_request"
            $0.attributes = [
                OTLP.attribute("event.name", "api_request"), OTLP.attribute("user.id", "device-hash-not-a-person"),
                OTLP.attribute("user.account_uuid", "acct-1234"), OTLP.attribute("user.email", "dana@example.com"),
                OTLP.attribute("session.id", "s-1"), OTLP.attribute("model", "claude-sonnet-4-5"),
                OTLP.attribute("input_tokens", 40), OTLP.attribute("output_tokens", 900),
                OTLP.attribute("cache_read_tokens", 30_000), OTLP.attribute("cache_creation_tokens", 2_000),
            ]
        }
    }

    static func request(_ records: [OTLPLogRecord]) -> OTLPExportLogsServiceRequest {
        OTLPExportLogsServiceRequest.with {
            $0.resourceLogs = [
                OTLPResourceLogs.with {
                    $0.resource.attributes = [OTLP.attribute("service.name", "claude-code")]
                    $0.scopeLogs = [OTLPScopeLogs.with { $0.logRecords = records }]
                }
            ]
        }
    }

    /// The account, not Claude Code's installation id; the context read is input + cache read + cache written.
    @Test func aClaudeCodeRequestBecomesAnEvent() throws {
        let translation = translator.translate(Self.request([Self.claudeCodeRecord()]))
        let event = try #require(try decoded(translation).first)
        #expect(event["user"] as? String == "acct-1234")
        #expect(event["session"] as? String == "s-1")
        #expect(event["model"] as? String == "claude-sonnet-4-5")
        #expect(event["input_tokens"] as? Int == 40 + 30_000 + 2_000)
        #expect(event["output_tokens"] as? Int == 900)
        #expect(event["ts"] as? Int == 1_795_000_000_500)
        #expect((event["id"] as? String)?.hasPrefix("log-") == true)
    }

    /// An SDK that retries an export after a lost response sends the same record: the same id.
    @Test func theSameRecordGetsTheSameIdAndAnotherOneAnother() throws {
        let first = try decoded(translator.translate(Self.request([Self.claudeCodeRecord()])))
        let again = try decoded(translator.translate(Self.request([Self.claudeCodeRecord()])))
        let later = try decoded(
            translator.translate(Self.request([Self.claudeCodeRecord(time: 1_795_000_001_000_000_000)])))
        #expect(first[0]["id"] as? String == again[0]["id"] as? String)
        #expect(first[0]["id"] as? String != later[0]["id"] as? String)
    }

    /// The input is a sum of three counts: one near 2^63 must not overflow it (a trap would end the bridge).
    @Test func anOverflowingSumOfCountsIsRefusedAsOutOfRange() throws {
        var record = Self.claudeCodeRecord()
        record.attributes.removeAll { $0.key == "input_tokens" || $0.key == "cache_read_tokens" }
        record.attributes += [OTLP.attribute("input_tokens", .max), OTLP.attribute("cache_read_tokens", 1)]
        let translation = translator.translate(Self.request([record, Self.claudeCodeRecord()]))
        #expect(translation.events.count == 1)
        #expect(translation.rejectionMessage == "1 out_of_range")
    }

    @Test func otherLogLinesAreIgnoredAndARecordWithoutTimeIsRefused() throws {
        let line = OTLPLogRecord.with {
            $0.timeUnixNano = 1
            $0.body.stringValue = "GET /health 200"
        }
        var timeless = Self.claudeCodeRecord()
        timeless.timeUnixNano = 0
        let translation = translator.translate(Self.request([line, timeless]))
        #expect(translation.events.isEmpty)
        #expect(translation.ignored == 1)
        #expect(translation.rejected == [.noTime: 1])
    }

    @Test func aGatewayLogWithTheConfiguredTokenAttributesIsACall() throws {
        let record = OTLPLogRecord.with {
            $0.observedTimeUnixNano = 1_795_000_000_000_000_000
            $0.attributes = [
                OTLP.attribute("user.id", "erin"), OTLP.attribute("gen_ai.usage.input_tokens", 10),
                OTLP.attribute("gen_ai.usage.output_tokens", 5),
            ]
        }
        let event = try #require(try decoded(translator.translate(Self.request([record]))).first)
        #expect(event["user"] as? String == "erin")
        #expect(event["ts"] as? Int == 1_795_000_000_000)
    }
}

@Suite struct EventBytesTests {
    /// Read back by Foundation's parser, an independent JSON reader.
    @Test func stringsAreEscapedAndIntegersExact() throws {
        let text = "quote \" backslash \\ tab \t nul \u{0} bell \u{7} é 漢 🙂"
        var writer = EventBytes(capacity: 16)
        writer.string("s", text)
        writer.integer("max", .max)
        writer.integer("min", .min)
        writer.integer("zero", 0)
        let bytes = writer.finish()
        let object = try #require(JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
        #expect(object["s"] as? String == text)
        #expect((object["max"] as? NSNumber)?.int64Value == Int64.max)
        #expect((object["min"] as? NSNumber)?.int64Value == Int64.min)
        #expect(object["zero"] as? Int == 0)
        #expect(String(decoding: bytes, as: UTF8.self).hasPrefix(#"{"s":"quote \" backslash \\ tab \u0009 nul \u0000"#))
    }
}
