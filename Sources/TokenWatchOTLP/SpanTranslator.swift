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
    private let index: AttributeIndex

    package init(settings: BridgeConfiguration, limits: EventDecoder.Limits) {
        self.settings = settings
        self.limits = limits
        index = AttributeIndex(settings.attributes)
    }

    package func translate(_ request: OTLPExportTraceServiceRequest, ancestry: inout SpanAncestry) -> OTLPTranslation {
        var read: [(OTLPSpan, AttributeIndex.Values)] = []
        for resourceSpans in request.resourceSpans {
            let resource = resourceSpans.resource.attributes
            for span in resourceSpans.scopeSpans.lazy.flatMap(\.spans) {
                let values = index.read(own: span.attributes, resource: resource)
                let agent = (try? values.text(.agent)) ?? nil
                ancestry.remember(
                    SpanAncestry.key(span.spanID), agent: agent, parent: SpanAncestry.key(span.parentSpanID))
                read.append((span, values))
            }
        }
        var translation = OTLPTranslation()
        translation.events.reserveCapacity(read.count)
        for (span, values) in read {
            guard isModelCall(values) else {
                translation.ignored += 1
                continue
            }
            switch call(span, values, ancestry: ancestry) {
            case .success(let call): translation.events.append(call.eventJSON(limits: limits))
            case .failure(let reason): translation.reject(reason)
            }
        }
        return translation
    }

    private func isModelCall(_ values: AttributeIndex.Values) -> Bool {
        guard values.isGenAI else { return false }
        if case .stringValue(let operation)? = values[.operation]?.value, settings.skipOperations.contains(operation) {
            return false
        }
        return true
    }

    private func call(_ span: OTLPSpan, _ values: AttributeIndex.Values, ancestry: SpanAncestry) -> Result<
        ModelCall, OTLPRecordRejection
    > {
        do {
            let input = try values.count(.inputTokens)
            let output = try values.count(.outputTokens)
            guard input != nil || output != nil else { return .failure(.noTokenCounts) }
            guard let user = try values.text(.user) else { return .failure(.noUser) }
            guard span.startTimeUnixNano > 0 else { return .failure(.noTime) }
            let key = SpanAncestry.key(span.spanID)
            let agent = try values.text(.agent) ?? ancestry.agent(of: key)
            var call = ModelCall(
                id: span.spanID.isEmpty ? "span-\(span.startTimeUnixNano)" : span.spanID.hexString,
                milliseconds: Int64(span.startTimeUnixNano / 1_000_000), user: user, team: try values.text(.team),
                agent: agent, parent: agent.flatMap { ancestry.caller(above: key, besides: $0) },
                session: try values.text(.session), model: try values.text(.model), inputTokens: input ?? 0,
                outputTokens: output ?? 0, prompt: nil)
            call.prompt = values[.prompt].flatMap(PromptText.of)
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
