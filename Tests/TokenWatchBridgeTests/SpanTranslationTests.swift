import Foundation
import SwiftProtobuf
import Testing
import TokenWatchCore

@testable import TokenWatchOTLP

/// Builds OTLP attributes and spans the way an SDK would.
enum OTLP {
    static func attribute(_ key: String, _ value: String) -> OTLPKeyValue {
        OTLPKeyValue.with {
            $0.key = key
            $0.value.stringValue = value
        }
    }

    static func attribute(_ key: String, _ value: Int64) -> OTLPKeyValue {
        OTLPKeyValue.with {
            $0.key = key
            $0.value.intValue = value
        }
    }

    static func span(
        id: UInt8, parent: UInt8? = nil, startNanos: UInt64 = 1_795_000_000_123_000_000, _ attributes: [OTLPKeyValue]
    ) -> OTLPSpan {
        OTLPSpan.with {
            $0.traceID = Data(repeating: 7, count: 16)
            $0.spanID = Data([0, 0, 0, 0, 0, 0, 0, id])
            if let parent { $0.parentSpanID = Data([0, 0, 0, 0, 0, 0, 0, parent]) }
            $0.startTimeUnixNano = startNanos
            $0.attributes = attributes
        }
    }

    static func request(_ spans: [OTLPSpan], resource: [OTLPKeyValue] = []) -> OTLPExportTraceServiceRequest {
        OTLPExportTraceServiceRequest.with {
            $0.resourceSpans = [
                OTLPResourceSpans.with {
                    $0.resource.attributes = resource
                    $0.scopeSpans = [OTLPScopeSpans.with { $0.spans = spans }]
                }
            ]
        }
    }

    static func chat(id: UInt8, parent: UInt8? = nil, user: String? = "alice", input: Int64 = 1200) -> OTLPSpan {
        var attributes = [
            attribute("gen_ai.operation.name", "chat"), attribute("gen_ai.request.model", "gpt-5"),
            attribute("gen_ai.usage.input_tokens", input), attribute("gen_ai.usage.output_tokens", 300),
        ]
        if let user { attributes.append(attribute("user.id", user)) }
        return span(id: id, parent: parent, attributes)
    }

    static func invokeAgent(id: UInt8, parent: UInt8? = nil, agent: String) -> OTLPSpan {
        span(
            id: id, parent: parent,
            [attribute("gen_ai.operation.name", "invoke_agent"), attribute("gen_ai.agent.name", agent)])
    }
}

/// Decodes the translated events with the daemon's own decoder: what the daemon would see.
func decoded(_ translation: OTLPTranslation) throws -> [[String: Any]] {
    try translation.events.map { try #require(JSONSerialization.jsonObject(with: Data($0)) as? [String: Any]) }
}

@Suite struct SpanTranslationTests {
    let translator = SpanTranslator(settings: BridgeConfiguration(), limits: EventDecoder.Limits())

    @Test func aChatSpanBecomesOneEventWithItsFields() throws {
        var ancestry = SpanAncestry()
        let translation = translator.translate(OTLP.request([OTLP.chat(id: 1)]), ancestry: &ancestry)
        let events = try decoded(translation)
        #expect(events.count == 1)
        let event = try #require(events.first)
        #expect(event["user"] as? String == "alice")
        #expect(event["model"] as? String == "gpt-5")
        #expect(event["input_tokens"] as? Int == 1200)
        #expect(event["output_tokens"] as? Int == 300)
        // 1_795_000_000_123_000_000 ns is 1_795_000_000_123 ms.
        #expect(event["ts"] as? Int == 1_795_000_000_123)
        #expect(event["id"] as? String == "0000000000000001")
        #expect(event["agent"] == nil && event["parent"] == nil && event["prompt"] == nil)
        #expect(translation.rejectedCount == 0 && translation.ignored == 0)
    }

    /// A crew: agent `planner` invokes agent `coder`, whose chat span carries no agent of its own.
    @Test func theAgentAndItsCallerComeFromTheAncestors() throws {
        let spans = [
            OTLP.invokeAgent(id: 1, agent: "planner"),
            OTLP.invokeAgent(id: 2, parent: 1, agent: "coder"),
            OTLP.chat(id: 3, parent: 2),
            OTLP.chat(id: 4, parent: 1),
        ]
        var ancestry = SpanAncestry()
        let translation = translator.translate(OTLP.request(spans), ancestry: &ancestry)
        let events = try decoded(translation)
        #expect(events.count == 2)
        #expect(events[0]["agent"] as? String == "coder")
        #expect(events[0]["parent"] as? String == "planner")
        #expect(events[1]["agent"] as? String == "planner")
        #expect(events[1]["parent"] == nil)
        // The two invoke_agent spans add up their children's calls: not calls themselves.
        #expect(translation.ignored == 2)
    }

    @Test func aParentFromAnEarlierExportIsRemembered() throws {
        var ancestry = SpanAncestry()
        _ = translator.translate(OTLP.request([OTLP.invokeAgent(id: 9, agent: "triage")]), ancestry: &ancestry)
        let events = try decoded(
            translator.translate(OTLP.request([OTLP.chat(id: 10, parent: 9)]), ancestry: &ancestry))
        #expect(events.first?["agent"] as? String == "triage")
    }

    @Test func theUserFallsBackToTheResource() throws {
        var ancestry = SpanAncestry()
        let request = OTLP.request(
            [OTLP.chat(id: 1, user: nil)],
            resource: [OTLP.attribute("enduser.id", "bob"), OTLP.attribute("team", "ml")])
        let events = try decoded(translator.translate(request, ancestry: &ancestry))
        #expect(events.first?["user"] as? String == "bob")
        #expect(events.first?["team"] as? String == "ml")
    }

    @Test func callsWithoutAUserOrTokensOrWithWrongTypesAreRefusedByReason() throws {
        var noTokens = OTLP.chat(id: 2)
        noTokens.attributes.removeAll { $0.key.hasPrefix("gen_ai.usage") }
        var wrongType = OTLP.chat(id: 3)
        wrongType.attributes.append(OTLP.attribute("gen_ai.usage.input_tokens", "many"))
        wrongType.attributes.removeAll { $0.key == "gen_ai.usage.input_tokens" && $0.value.intValue == 1200 }
        let plainHTTP = OTLP.span(id: 4, [OTLP.attribute("http.request.method", "GET")])
        var ancestry = SpanAncestry()
        let translation = translator.translate(
            OTLP.request([OTLP.chat(id: 1, user: nil), noTokens, wrongType, plainHTTP, OTLP.chat(id: 5)]),
            ancestry: &ancestry)
        #expect(translation.events.count == 1)
        #expect(translation.rejected == [.noUser: 1, .noTokenCounts: 1, .wrongType: 1])
        #expect(translation.ignored == 1)
        #expect(translation.rejectionMessage == "1 no_token_counts, 1 no_user, 1 wrong_type")
    }

    @Test func anIdentifierLongerThanTheDaemonTakesIsRefused() {
        var ancestry = SpanAncestry()
        let translation = translator.translate(
            OTLP.request([OTLP.chat(id: 1, user: String(repeating: "u", count: 257))]), ancestry: &ancestry)
        #expect(translation.rejected == [.fieldTooLong: 1])
    }

    @Test func thePromptIsTheLastUserMessageAndAHugeOneIsSentAsAHash() throws {
        let messages =
            #"[{"role":"system","parts":[{"type":"text","content":"be brief"}]},"#
            + #"{"role":"user","parts":[{"type":"text","content":"summarise my inbox"}]}]"#
        var small = OTLP.chat(id: 1)
        small.attributes.append(OTLP.attribute("gen_ai.input.messages", messages))
        var huge = OTLP.chat(id: 2)
        let text = String(repeating: "pad ", count: 20_000)
        huge.attributes.append(OTLP.attribute("gen_ai.prompt", text))
        var ancestry = SpanAncestry()
        let events = try decoded(translator.translate(OTLP.request([small, huge]), ancestry: &ancestry))
        #expect(events[0]["prompt"] as? String == "summarise my inbox")
        #expect(events[1]["prompt"] == nil)
        #expect(events[1]["prompt_hash"] as? String == "fnv64:" + String(FNV1a.hash(text), radix: 16))
        #expect(translator.translate(OTLP.request([huge]), ancestry: &ancestry).events[0].count < 65_536)
    }

    /// OTLP/JSON writes ids in hex; the translation must give the same event id as protobuf does.
    @Test func jsonHexIdentifiersMatchProtobufOnes() throws {
        let json = #"""
            {"resourceSpans":[{"resource":{"attributes":[{"key":"user.id","value":{"stringValue":"carol"}}]},
            "scopeSpans":[{"spans":[{"traceId":"5b8efff798038103d269b633813fc60c","spanId":"eee19b7ec3c1b174",
            "parentSpanId":"","name":"chat","kind":3,"startTimeUnixNano":"1795000000000000000",
            "attributes":[{"key":"gen_ai.usage.input_tokens","value":{"intValue":"42"}},
            {"key":"gen_ai.usage.output_tokens","value":{"intValue":7}}]}]}]}]}
            """#
        var request = try OTLPEncoding.json.decode(OTLPExportTraceServiceRequest.self, from: Array(json.utf8))
        OTLPJSONIdentifiers.restore(&request)
        let span = request.resourceSpans[0].scopeSpans[0].spans[0]
        #expect(span.spanID == Data([0xee, 0xe1, 0x9b, 0x7e, 0xc3, 0xc1, 0xb1, 0x74]))
        var ancestry = SpanAncestry()
        let events = try decoded(translator.translate(request, ancestry: &ancestry))
        #expect(events.first?["id"] as? String == "eee19b7ec3c1b174")
        #expect(events.first?["input_tokens"] as? Int == 42)
        #expect(events.first?["user"] as? String == "carol")
    }

    @Test func ancestryForgetsTheOldestBeyondItsCapacity() {
        var ancestry = SpanAncestry(capacity: 2)
        ancestry.remember(1, agent: "a", parent: nil)
        ancestry.remember(2, agent: "b", parent: nil)
        ancestry.remember(3, agent: "c", parent: nil)
        #expect(ancestry.agent(of: 1) == nil)
        #expect(ancestry.agent(of: 3) == "c")
    }

    /// The daemon's own limits (`events.max_tokens_per_event`): refused here, and said in `partial_success`.
    @Test func aTokenCountOverTheDaemonsLimitIsRefusedAsOutOfRange() throws {
        var ancestry = SpanAncestry()
        let translation = translator.translate(
            OTLP.request([OTLP.chat(id: 1, input: 1_000_000_000), OTLP.chat(id: 2, input: 10_000_000)]),
            ancestry: &ancestry)
        #expect(try decoded(translation).map { $0["id"] as? String } == ["0000000000000002"])
        #expect(translation.rejectionMessage == "1 out_of_range")
    }

    /// Without a span id, two people's calls at the same instant are two events, and the same span sent
    /// again is the same one.
    @Test func aSpanWithoutAnIdGetsOneFromItsTraceUserAndContent() throws {
        func anonymous(_ user: String) -> OTLPSpan {
            var span = OTLP.chat(id: 1, user: user)
            span.spanID = Data()
            return span
        }
        var ancestry = SpanAncestry()
        let ids = try decoded(
            translator.translate(OTLP.request([anonymous("alice"), anonymous("bob")]), ancestry: &ancestry)
        ).map { $0["id"] as? String }
        let again = try decoded(translator.translate(OTLP.request([anonymous("alice")]), ancestry: &ancestry))
        #expect(ids.count == 2 && ids[0] != nil && ids[0] != ids[1])
        #expect(again.first?["id"] as? String == ids[0])
        // The trace id (sixteen 7s) is part of the id.
        #expect(ids[0]?.contains("07070707070707070707070707070707") == true)
    }

    /// An agent name longer than the daemon takes is not kept (it could be megabytes), and a call beneath it
    /// does not inherit it.
    @Test func anOverlongAgentNameIsNotRemembered() {
        var ancestry = SpanAncestry()
        ancestry.remember(1, agent: String(repeating: "a", count: 257), parent: nil)
        ancestry.remember(2, agent: nil, parent: 1)
        #expect(ancestry.agent(of: 1) == nil)
        #expect(ancestry.agent(of: 2) == nil)
    }

    @Test func aCycleOfParentIdsEnds() {
        var ancestry = SpanAncestry()
        ancestry.remember(1, agent: nil, parent: 2)
        ancestry.remember(2, agent: nil, parent: 1)
        #expect(ancestry.agent(of: 1) == nil)
    }
}
