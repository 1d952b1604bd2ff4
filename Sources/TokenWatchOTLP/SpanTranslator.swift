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

    /// An export request decoded into the generated messages (the JSON path).
    package func translate(_ request: OTLPExportTraceServiceRequest, ancestry: inout SpanAncestry) -> OTLPTranslation {
        var records: [SpanRecord] = []
        for resourceSpans in request.resourceSpans {
            let resource = resourceSpans.resource.attributes
            for span in resourceSpans.scopeSpans.lazy.flatMap(\.spans) {
                let (fields, isGenAI) = index.read(own: span.attributes, resource: resource)
                records.append(
                    SpanRecord(
                        idHex: span.spanID.isEmpty ? nil : span.spanID.hexString, key: SpanAncestry.key(span.spanID),
                        parent: SpanAncestry.key(span.parentSpanID), startNanoseconds: span.startTimeUnixNano,
                        isGenAI: isGenAI, fields: fields))
            }
        }
        return translate(records, ancestry: &ancestry)
    }

    /// A protobuf export request, read straight from its bytes (``OTLPWireSpans``).
    package func translate(protobuf body: [UInt8], ancestry: inout SpanAncestry) throws(OTLPWireError)
        -> OTLPTranslation
    {
        translate(try OTLPWireSpans.read(body, index: index), ancestry: &ancestry)
    }

    func translate(_ records: [SpanRecord], ancestry: inout SpanAncestry) -> OTLPTranslation {
        for record in records {
            ancestry.remember(record.key, agent: (try? record.fields.text(.agent)) ?? nil, parent: record.parent)
        }
        var translation = OTLPTranslation()
        translation.events.reserveCapacity(records.count)
        for record in records {
            guard isModelCall(record) else {
                translation.ignored += 1
                continue
            }
            switch call(record, ancestry: ancestry) {
            case .success(let call): translation.append(call, limits: limits)
            case .failure(let reason): translation.reject(reason)
            }
        }
        return translation
    }

    private func isModelCall(_ record: SpanRecord) -> Bool {
        guard record.isGenAI else { return false }
        if case .text(let operation)? = record.fields.operation, settings.skipOperations.contains(operation) {
            return false
        }
        return true
    }

    private func call(_ record: SpanRecord, ancestry: SpanAncestry) -> Result<ModelCall, OTLPRecordRejection> {
        let fields = record.fields
        do {
            let input = try fields.count(.inputTokens)
            let output = try fields.count(.outputTokens)
            guard input != nil || output != nil else { return .failure(.noTokenCounts) }
            guard let user = try fields.text(.user) else { return .failure(.noUser) }
            guard record.startNanoseconds > 0 else { return .failure(.noTime) }
            let agent = try fields.text(.agent) ?? ancestry.agent(of: record.key)
            var call = ModelCall(
                id: record.idHex ?? "span-\(record.startNanoseconds)",
                milliseconds: Int64(record.startNanoseconds / 1_000_000), user: user, team: try fields.text(.team),
                agent: agent, parent: agent.flatMap { ancestry.caller(above: record.key, besides: $0) },
                session: try fields.text(.session), model: try fields.text(.model), inputTokens: input ?? 0,
                outputTokens: output ?? 0, prompt: nil)
            call.prompt = fields.prompt?.prompt
            call.output = fields.output?.output
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
    var hexString: String { withUnsafeBytes { Hex.string($0) } }
}

enum Hex {
    static func string(_ bytes: UnsafeRawBufferPointer) -> String {
        String(unsafeUninitializedCapacity: bytes.count * 2) { buffer in
            for (index, byte) in bytes.enumerated() {
                buffer[2 * index] = digits[Int(byte >> 4)]
                buffer[2 * index + 1] = digits[Int(byte & 0xF)]
            }
            return bytes.count * 2
        }
    }

    private static let digits = Array("0123456789abcdef".utf8)
}
