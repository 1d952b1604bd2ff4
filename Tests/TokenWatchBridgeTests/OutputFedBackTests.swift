import Foundation
import Testing

@testable import TokenWatchCore
@testable import TokenWatchOTLP

/// An agent whose answer comes back unchanged as its next prompt, recorded with the opt-in content
/// attributes: the bridge's events must let the daemon's own decoder and progress measure see it.
@Suite struct OutputFedBackTests {
    let translator = SpanTranslator(settings: BridgeConfiguration(), limits: EventDecoder.Limits())

    static func call(id: UInt8, prompt: String, output: String) -> OTLPSpan {
        var span = OTLP.chat(id: id)
        span.startTimeUnixNano += UInt64(id) * 60_000_000_000
        span.attributes.append(OTLP.attribute("gen_ai.agent.name", "triage"))
        span.attributes.append(
            OTLP.attribute(
                "gen_ai.input.messages", #"[{"role":"user","parts":[{"type":"text","content":"\#(prompt)"}]}]"#))
        span.attributes.append(
            OTLP.attribute(
                "gen_ai.output.messages",
                #"[{"role":"assistant","parts":[{"type":"text","content":"\#(output)"}]}]"#))
        return span
    }

    @Test func anAnswerFedBackIsSeenByTheProgressMeasure() throws {
        let spans = [
            Self.call(id: 1, prompt: "summarise the inbox", output: "Three mails need replies."),
            Self.call(id: 2, prompt: "Three mails need replies.", output: "Noted."),
        ]
        var ancestry = SpanAncestry()
        let translation = try translator.translate(protobuf: OTLP.request(spans).serializedBytes(), ancestry: &ancestry)
        let json = try decoded(translation)
        // Hashes only: the answer's text never leaves the bridge.
        #expect(json[0]["output_hash"] as? String == ModelCall.hash("Three mails need replies."))
        #expect(json[1]["prompt_hash"] as? String == json[0]["output_hash"] as? String)
        #expect(!String(decoding: translation.events[0], as: UTF8.self).contains("need replies"))

        let decoder = EventDecoder(limits: EventDecoder.Limits())
        var memory = ContentMemory()
        let verdicts = try translation.events.map { bytes in
            let event = try decoder.decode(bytes).get()
            return memory.observe(
                prompt: event.prompt, promptHash: event.promptHash, outputHash: event.outputHash,
                inputTokens: event.inputTokens, at: event.time
            ).novelty
        }
        #expect(verdicts == [.new, .fedBack])
    }

    @Test func withoutAnAnswerThePromptGoesAlone() throws {
        var ancestry = SpanAncestry()
        var span = OTLP.chat(id: 1)
        span.attributes.append(OTLP.attribute("gen_ai.prompt", "hello"))
        let event = try #require(try decoded(translator.translate(OTLP.request([span]), ancestry: &ancestry)).first)
        #expect(event["prompt"] as? String == "hello")
        #expect(event["prompt_hash"] == nil && event["output_hash"] == nil)
    }
}
