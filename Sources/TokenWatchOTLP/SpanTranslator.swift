import Foundation
import TokenWatchCore

/// Turns the GenAI spans of an OTLP trace export into token events.
///
/// A span is a model call when it carries GenAI attributes (any `gen_ai.*` key, or a configured token
/// count) and its `gen_ai.operation.name` is not one that adds up calls made beneath it (an agent's whole
/// invocation). Other spans (HTTP, database, tool runs) are ignored, not refused.
package struct SpanTranslator: Sendable {
    package let settings: BridgeConfiguration
    package let limits: EventDecoder.Limits

    package init(settings: BridgeConfiguration, limits: EventDecoder.Limits) {
        self.settings = settings
        self.limits = limits
    }

    package func translate(_ request: OTLPExportTraceServiceRequest, ancestry: inout SpanAncestry) -> OTLPTranslation {
        let names = settings.attributes
        for resourceSpans in request.resourceSpans {
            let resource = resourceSpans.resource.attributes
            for span in resourceSpans.scopeSpans.lazy.flatMap(\.spans) {
                let attributes = OTLPAttributes(own: span.attributes, resource: resource)
                let agent = (try? attributes.text(names.agent).get()) ?? nil
                ancestry.remember(span.spanID, agent: agent, parent: span.parentSpanID)
            }
        }
        var translation = OTLPTranslation()
        for resourceSpans in request.resourceSpans {
            let resource = resourceSpans.resource.attributes
            for span in resourceSpans.scopeSpans.lazy.flatMap(\.spans) {
                let attributes = OTLPAttributes(own: span.attributes, resource: resource)
                guard isModelCall(span, attributes) else {
                    translation.ignored += 1
                    continue
                }
                switch call(span, attributes, ancestry: ancestry) {
                case .success(let call): translation.events.append(call.eventJSON(limits: limits))
                case .failure(let reason): translation.reject(reason)
                }
            }
        }
        return translation
    }

    private func isModelCall(_ span: OTLPSpan, _ attributes: OTLPAttributes) -> Bool {
        let tokenNames = Set(settings.attributes.inputTokens + settings.attributes.outputTokens)
        guard span.attributes.contains(where: { $0.key.hasPrefix("gen_ai.") || tokenNames.contains($0.key) }) else {
            return false
        }
        if case .stringValue(let operation)? = attributes.value(["gen_ai.operation.name"])?.value,
            settings.skipOperations.contains(operation)
        {
            return false
        }
        return true
    }

    private func call(_ span: OTLPSpan, _ attributes: OTLPAttributes, ancestry: SpanAncestry) -> Result<
        ModelCall, OTLPRecordRejection
    > {
        let names = settings.attributes
        do {
            let tokens = try ModelCallFields.tokens(attributes, input: names.inputTokens, output: names.outputTokens)
            guard let user = try attributes.text(names.user).get() else { return .failure(.noUser) }
            guard span.startTimeUnixNano > 0 else { return .failure(.noTime) }
            let agent = try attributes.text(names.agent).get() ?? ancestry.agent(of: span.spanID)
            var call = ModelCall(
                id: span.spanID.isEmpty ? "span-\(span.startTimeUnixNano)" : span.spanID.hexString,
                milliseconds: Int64(span.startTimeUnixNano / 1_000_000), user: user,
                team: try attributes.text(names.team).get(), agent: agent,
                parent: agent.flatMap { ancestry.caller(above: span.spanID, besides: $0) },
                session: try attributes.text(names.session).get(), model: try attributes.text(names.model).get(),
                inputTokens: tokens.input, outputTokens: tokens.output, prompt: nil)
            call.prompt = attributes.value(names.prompt).flatMap(PromptText.of)
            return ModelCallFields.checked(call, limits: limits)
        } catch {
            return .failure(error)
        }
    }
}

/// What span and log-record translation share: reading the token counts and checking the identifiers.
enum ModelCallFields {
    /// Both counts; a missing one is 0 (an embedding has no output), both missing is not a call.
    static func tokens(_ attributes: OTLPAttributes, input: [String], output: [String]) throws(OTLPRecordRejection)
        -> (input: Int64, output: Int64)
    {
        let inputTokens = try attributes.count(input).get()
        let outputTokens = try attributes.count(output).get()
        guard inputTokens != nil || outputTokens != nil else { throw .noTokenCounts }
        return (inputTokens ?? 0, outputTokens ?? 0)
    }

    static func checked(_ call: ModelCall, limits: EventDecoder.Limits) -> Result<ModelCall, OTLPRecordRejection> {
        guard call.identifiers.allSatisfy({ $0.utf8.count <= limits.maxIdentifierBytes }) else {
            return .failure(.fieldTooLong)
        }
        return .success(call)
    }
}

extension Data {
    /// Lower-case hexadecimal, as trace and span ids are written everywhere but on the protobuf wire.
    var hexString: String {
        let digits = Array("0123456789abcdef".utf8)
        var text = [UInt8]()
        text.reserveCapacity(count * 2)
        for byte in self {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0xF)])
        }
        return String(decoding: text, as: UTF8.self)
    }
}
