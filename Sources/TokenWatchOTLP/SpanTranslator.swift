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
        ModelCallFields.call(
            record.fields, id: record.idHex ?? "span-\(record.startNanoseconds)",
            nanoseconds: record.startNanoseconds, limits: limits
        ) { ownAgent in
            let agent = ownAgent ?? ancestry.agent(of: record.key)
            return (agent, agent.flatMap { ancestry.caller(above: record.key, besides: $0) })
        }
    }
}

/// What span and log-record translation share: a model call from a record's fields, refused by reason in a
/// fixed order (token counts, user, time, then the other fields' types and lengths).
enum ModelCallFields {
    /// `extraInput`: counts added to the input (Claude Code's cached context). `relatives` gives the agent and
    /// the agent above it from the record's own agent (a span's ancestors fill in what it lacks).
    static func call(
        _ fields: FieldValues, id: String, nanoseconds: UInt64, extraInput: [AttributeIndex.Field] = [],
        limits: EventDecoder.Limits,
        relatives: (_ ownAgent: String?) -> (agent: String?, parent: String?) = { ($0, nil) }
    ) -> Result<ModelCall, OTLPRecordRejection> {
        do {
            let input = try fields.count(.inputTokens)
            let output = try fields.count(.outputTokens)
            // A missing count is 0 (an embedding has no output); both missing is not a call.
            guard input != nil || output != nil else { return .failure(.noTokenCounts) }
            var inputTokens = input ?? 0
            for field in extraInput { inputTokens += try fields.count(field) ?? 0 }
            guard let user = try fields.text(.user) else { return .failure(.noUser) }
            guard nanoseconds > 0 else { return .failure(.noTime) }
            let (agent, parent) = relatives(try fields.text(.agent))
            var call = ModelCall(
                id: id, milliseconds: Int64(nanoseconds / 1_000_000), user: user, team: try fields.text(.team),
                agent: agent, parent: parent, session: try fields.text(.session), model: try fields.text(.model),
                inputTokens: inputTokens, outputTokens: output ?? 0, prompt: nil)
            call.prompt = fields.prompt?.prompt
            call.output = fields.output?.output
            guard call.identifiers.allSatisfy({ $0.utf8.count <= limits.maxIdentifierBytes }) else {
                return .failure(.fieldTooLong)
            }
            return .success(call)
        } catch {
            return .failure(error)
        }
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
