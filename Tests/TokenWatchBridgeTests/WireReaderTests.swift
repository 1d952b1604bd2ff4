import Foundation
import SwiftProtobuf
import Testing
import TokenWatchCore
import TokenWatchSimulation

@testable import TokenWatchOTLP

/// The wire reader against SwiftProtobuf's generated decoder: the same request, read both ways, must give the
/// same events, refusals and ignored spans.
@Suite struct WireReaderTests {
    let translator = SpanTranslator(settings: BridgeConfiguration(), limits: EventDecoder.Limits())

    func bothWays(_ request: OTLPExportTraceServiceRequest) throws -> (OTLPTranslation, OTLPTranslation) {
        let bytes: [UInt8] = try request.serializedBytes()
        var viaMessages = SpanAncestry()
        var viaWire = SpanAncestry()
        let decoded = try OTLPExportTraceServiceRequest(serializedBytes: bytes)
        return (
            translator.translate(decoded, ancestry: &viaMessages),
            try translator.translate(protobuf: bytes, ancestry: &viaWire)
        )
    }

    func expectSame(_ pair: (OTLPTranslation, OTLPTranslation)) {
        #expect(pair.0.events == pair.1.events)
        #expect(pair.0.rejected == pair.1.rejected)
        #expect(pair.0.ignored == pair.1.ignored)
    }

    @Test func aCrewWithResourceFallbackReadsTheSame() throws {
        var chat = OTLP.chat(id: 3, parent: 2, user: nil)
        chat.attributes.append(
            OTLPKeyValue.with {
                $0.key = "gen_ai.input.messages"
                $0.value.arrayValue.values = [
                    OTLPAnyValue.with {
                        $0.kvlistValue.values = [
                            OTLP.attribute("role", "user"), OTLP.attribute("content", "fix the failing test"),
                        ]
                    }
                ]
            })
        let request = OTLP.request(
            [OTLP.invokeAgent(id: 1, agent: "planner"), OTLP.invokeAgent(id: 2, parent: 1, agent: "coder"), chat],
            resource: [OTLP.attribute("enduser.id", "ann"), OTLP.attribute("team", "infra")])
        let pair = try bothWays(request)
        expectSame(pair)
        let event = try #require(try decoded(pair.1).first)
        #expect(event["agent"] as? String == "coder" && event["parent"] as? String == "planner")
        #expect(event["prompt"] as? String == "fix the failing test")
        #expect(event["user"] as? String == "ann" && event["team"] as? String == "infra")
    }

    /// Seeded variations: missing users and counts, wrong types, doubles, numeric ids, unknown attributes.
    @Test func generatedRequestsReadTheSame() throws {
        var events = 0
        var rejected = 0
        var ignored = 0
        for seed in UInt64(1)...60 {
            let pair = try bothWays(Self.request(seed: seed))
            expectSame(pair)
            events += pair.1.events.count
            rejected += pair.1.rejectedCount
            ignored += pair.1.ignored
        }
        // The variations reach every outcome.
        #expect(events > 20 && rejected > 20 && ignored > 20)
    }

    static func request(seed: UInt64) -> OTLPExportTraceServiceRequest {
        var random = SeededRandom(seed: seed)
        var spans: [OTLPSpan] = []
        for id in 1...UInt8(1 + random.next() % 12) {
            var attributes: [OTLPKeyValue] = [OTLP.attribute("http.route", "/v1/chat")]
            if random.next() % 5 != 0 { attributes.append(OTLP.attribute("user.id", "user\(random.next() % 4)")) }
            if random.next() % 3 == 0 { attributes.append(OTLP.attribute("enduser.id", Int64(random.next() % 1000))) }
            switch random.next() % 5 {
            case 0: attributes.append(OTLP.attribute("gen_ai.usage.input_tokens", Int64(random.next() % 5000)))
            case 1: attributes.append(OTLP.attribute("gen_ai.usage.prompt_tokens", "\(random.next() % 5000)"))
            case 2:
                attributes.append(
                    OTLPKeyValue.with {
                        $0.key = "gen_ai.usage.input_tokens"
                        $0.value.doubleValue = random.next() % 2 == 0 ? 12 : 12.5
                    })
            case 3: attributes.append(OTLP.attribute("gen_ai.usage.input_tokens", "lots"))
            default: break
            }
            if random.next() % 2 == 0 { attributes.append(OTLP.attribute("gen_ai.usage.output_tokens", 7)) }
            if random.next() % 3 == 0 {
                attributes.append(OTLP.attribute("gen_ai.agent.name", "agent\(random.next() % 3)"))
            }
            if random.next() % 4 == 0 { attributes.append(OTLP.attribute("gen_ai.operation.name", "invoke_agent")) }
            if random.next() % 4 == 0 { attributes.append(OTLP.attribute("gen_ai.prompt", "say \"hi\"\n\u{1}")) }
            attributes.shuffle(using: &random)
            let parent = random.next() % 2 == 0 && id > 1 ? UInt8(1 + random.next() % UInt64(id - 1)) : nil
            spans.append(
                OTLP.span(
                    id: id, parent: parent, startNanos: random.next() % 3 == 0 ? 0 : 1_795_000_000_000_000_000,
                    attributes))
        }
        return OTLP.request(spans, resource: random.next() % 2 == 0 ? [OTLP.attribute("user.id", "resource-user")] : [])
    }

    @Test func brokenBytesAreRefused() throws {
        let bytes: [UInt8] = try OTLP.request([OTLP.chat(id: 1)]).serializedBytes()
        var ancestry = SpanAncestry()
        #expect(throws: OTLPWireError.self) {
            try translator.translate(protobuf: Array(bytes.dropLast(3)), ancestry: &ancestry)
        }
        #expect(throws: OTLPWireError.self) {
            try translator.translate(
                protobuf: [0x0A, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F], ancestry: &ancestry)
        }
        // A user id that is not UTF-8.
        var span = OTLP.chat(id: 1, user: nil)
        span.attributes.append(
            OTLPKeyValue.with {
                $0.key = "user.id"
                $0.value.stringValue = "PLACEHOLDER"
            })
        var broken: [UInt8] = try OTLP.request([span]).serializedBytes()
        let marker = Array("PLACEHOLDER".utf8)
        let at = try #require(
            (0...(broken.count - marker.count)).first { Array(broken[$0..<$0 + marker.count]) == marker })
        broken[at] = 0xFF
        #expect(throws: OTLPWireError.invalidUTF8) { try translator.translate(protobuf: broken, ancestry: &ancestry) }
    }
}

/// The wire reader faces the network: corrupted requests (bytes flipped, cut, inserted) must be refused or
/// read, never crash or hang. Where SwiftProtobuf's decoder also accepts the bytes, both must agree.
@Suite struct WireReaderCorruptionTests {
    let translator = SpanTranslator(settings: BridgeConfiguration(), limits: EventDecoder.Limits())

    @Test func corruptedRequestsAreRefusedOrReadAlike() throws {
        var random = SeededRandom(seed: 2026)
        var refused = 0
        var agreed = 0
        for round in 0..<3000 {
            var bytes: [UInt8] = try WireReaderTests.request(seed: UInt64(round % 60 + 1)).serializedBytes()
            guard !bytes.isEmpty else { continue }
            for _ in 0..<(1 + random.next() % 4) {
                let at = Int(random.next() % UInt64(bytes.count))
                switch random.next() % 3 {
                case 0: bytes[at] = UInt8(truncatingIfNeeded: random.next())
                case 1: bytes.removeSubrange(at...)
                default: bytes.insert(UInt8(truncatingIfNeeded: random.next()), at: at)
                }
                if bytes.isEmpty { break }
            }
            var ancestry = SpanAncestry()
            guard let wire = try? translator.translate(protobuf: bytes, ancestry: &ancestry) else {
                refused += 1
                continue
            }
            var options = BinaryDecodingOptions()
            options.discardUnknownFields = true
            if let decoded = try? OTLPExportTraceServiceRequest(serializedBytes: bytes, options: options) {
                var other = SpanAncestry()
                let messages = translator.translate(decoded, ancestry: &other)
                #expect(messages.events == wire.events)
                #expect(messages.rejected == wire.rejected)
                agreed += 1
            }
        }
        // Both outcomes occur, so the corruption reaches the reader's refusals and its reading alike.
        #expect(refused > 100 && agreed > 100)
    }
}
