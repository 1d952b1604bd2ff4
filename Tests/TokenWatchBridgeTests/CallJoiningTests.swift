import Foundation
import Testing
import TokenWatchCore

@testable import TokenWatchOTLP

/// One call, one event: the log records an instrumentation writes inside a chat span are merged into it.
@Suite struct CallJoiningTests {
    let spans = SpanTranslator(settings: BridgeConfiguration(), limits: EventDecoder.Limits())
    let logs = LogRecordTranslator(settings: BridgeConfiguration(), limits: EventDecoder.Limits())
    static let second: UInt64 = 1_000_000_000

    /// A log event inside span `id` (the chat span of ``OTLP/chat(id:parent:user:input:)``).
    static func event(_ name: String, span id: UInt8, body: OTLPAnyValue? = nil, _ attributes: [OTLPKeyValue] = [])
        -> OTLPLogRecord
    {
        OTLPLogRecord.with {
            $0.timeUnixNano = 1_795_000_000_200_000_000
            $0.eventName = name
            $0.spanID = Data([0, 0, 0, 0, 0, 0, 0, id])
            $0.traceID = Data(repeating: 7, count: 16)
            if let body { $0.body = body }
            $0.attributes = attributes
        }
    }

    static func content(_ text: String) -> OTLPAnyValue {
        OTLPAnyValue.with {
            $0.kvlistValue.values = [
                OTLPKeyValue.with {
                    $0.key = "content"
                    $0.value.stringValue = text
                }
            ]
        }
    }

    /// openai-v2 on the 1.30 conventions: the prompt in `gen_ai.user.message` bodies (the last one is the
    /// prompt), the answer in `gen_ai.choice`; the span carries the counts.
    @Test func messageEventsGiveTheirSpanItsPromptAndNoEventOfTheirOwn() throws {
        var joiner = CallJoiner(wait: 10 * Self.second)
        let choice = OTLPAnyValue.with {
            $0.kvlistValue.values = [
                OTLPKeyValue.with {
                    $0.key = "message"
                    $0.value = Self.content("four")
                }
            ]
        }
        var parts = logs.translate(
            LogTranslationTests.request([
                Self.event("gen_ai.system.message", span: 1, body: Self.content("be brief")),
                Self.event("gen_ai.user.message", span: 1, body: Self.content("what is 2+2?")),
                Self.event("gen_ai.user.message", span: 1, body: Self.content("and 2+2 again?")),
                Self.event("gen_ai.choice", span: 1, body: choice),
            ]))
        #expect(parts.events.isEmpty && parts.rejectedCount == 0 && parts.ignored == 0)
        joiner.hold(&parts, now: 0)
        #expect(parts.joined == 4)
        var ancestry = SpanAncestry()
        let translation = spans.translate(OTLP.request([OTLP.chat(id: 1)]), ancestry: &ancestry, joiner: joiner)
        let event = try #require(try decoded(translation).first)
        #expect(translation.events.count == 1)
        #expect(event["prompt"] as? String == "and 2+2 again?")
        #expect(event["output_hash"] as? String == ModelCall.hash("four"))
        #expect(event["input_tokens"] as? Int == 1200)
        #expect(event["id"] as? String == "0000000000000001")
        #expect(translation.joinedSpans == [1])
    }

    /// openlit and openai-v2 `event_only`: `operation.details` with the same counts; the span's win, and once
    /// the span is published a late or retried copy of the record adds nothing.
    @Test func theSpansFieldsWinAndALateTwinIsDropped() throws {
        var joiner = CallJoiner(wait: 10 * Self.second)
        let details = Self.event(
            "gen_ai.client.inference.operation.details", span: 2,
            [
                OTLP.attribute("gen_ai.usage.input_tokens", 999), OTLP.attribute("gen_ai.usage.output_tokens", 1),
                OTLP.attribute("gen_ai.input.messages", #"[{"role":"user","content":"hello"}]"#),
            ])
        var parts = logs.translate(LogTranslationTests.request([details]))
        joiner.hold(&parts, now: 0)
        var ancestry = SpanAncestry()
        let translation = spans.translate(OTLP.request([OTLP.chat(id: 2)]), ancestry: &ancestry, joiner: joiner)
        let event = try #require(try decoded(translation).first)
        #expect(event["input_tokens"] as? Int == 1200 && event["prompt"] as? String == "hello")
        joiner.commit(translation.joinedSpans)
        var again = logs.translate(LogTranslationTests.request([details]))
        joiner.hold(&again, now: Self.second)
        #expect(joiner.isEmpty)
        #expect(joiner.expired(now: .max).isEmpty)
    }

    /// A span that never comes: its record is a call of its own after the wait, under the span's id (so the
    /// span, should it come after all, is a duplicate to the daemon); content alone is dropped.
    @Test func partsWhoseSpanNeverComesArePublishedAloneAfterTheWait() throws {
        var joiner = CallJoiner(wait: 10 * Self.second)
        var parts = logs.translate(
            LogTranslationTests.request([
                Self.event(
                    "gen_ai.client.inference.operation.details", span: 3,
                    [
                        OTLP.attribute("user.id", "olga"), OTLP.attribute("gen_ai.usage.input_tokens", 40),
                        OTLP.attribute("gen_ai.usage.output_tokens", 2),
                    ]),
                Self.event("gen_ai.user.message", span: 4, body: Self.content("orphan")),
            ]))
        joiner.hold(&parts, now: 0)
        #expect(joiner.expired(now: 10 * Self.second - 1).isEmpty)
        let expired = joiner.expired(now: 10 * Self.second)
        #expect(expired.count == 2)
        let events = try decoded(logs.translate(expired: expired))
        #expect(events.count == 1)
        #expect(events.first?["id"] as? String == "0000000000000003")
        #expect(events.first?["user"] as? String == "olga" && events.first?["input_tokens"] as? Int == 40)
    }

    /// Bounded: beyond `maxWaiting` parts the oldest stop waiting at once.
    @Test func theOldestPartsGoFirstWhenTooManyWait() {
        var joiner = CallJoiner(wait: 10 * Self.second, maxWaiting: 2)
        for id in UInt8(1)...3 {
            var parts = logs.translate(
                LogTranslationTests.request([Self.event("gen_ai.user.message", span: id, body: Self.content("x"))]))
            joiner.hold(&parts, now: UInt64(id))
        }
        #expect(joiner.expired(now: 0).map(\.id) == ["0000000000000001"])
    }

    @Test func aBodyGivesItsContentInEachShape() {
        #expect(CallPartReader.content(of: Self.content("a")) == "a")
        #expect(CallPartReader.content(of: .with { $0.stringValue = #"{"content":"b"}"# }) == "b")
        #expect(CallPartReader.content(of: .with { $0.stringValue = #"{"message":{"content":"c"}}"# }) == "c")
        #expect(CallPartReader.content(of: .with { $0.stringValue = "plain" }) == "plain")
        #expect(CallPartReader.content(of: .with { $0.intValue = 5 }) == nil)
    }
}
