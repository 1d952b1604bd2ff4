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
        index = AttributeIndex(AttributeIndex.lists(settings))
    }

    /// An export request decoded into the generated messages (the JSON path).
    /// `latestAccepted`: the latest start accepted, in nanoseconds since 1970 (the clock at receipt plus
    /// `events.max_future`); later calls are refused as `too_far_ahead`. `joiner`: the log records waiting to
    /// be merged into their spans (``CallJoiner``).
    package func translate(
        _ request: OTLPExportTraceServiceRequest, ancestry: inout SpanAncestry, joiner: CallJoiner,
        latestAccepted: UInt64? = nil
    ) -> OTLPTranslation {
        var records: [SpanRecord] = []
        for resourceSpans in request.resourceSpans {
            let resource = resourceSpans.resource.attributes
            for span in resourceSpans.scopeSpans.lazy.flatMap(\.spans) {
                let (fields, isGenAI) = index.read(own: span.attributes, resource: resource)
                records.append(
                    SpanRecord(
                        id: Self.id(of: span, user: (try? fields.person()) ?? nil),
                        key: SpanAncestry.key(span.spanID), parent: SpanAncestry.key(span.parentSpanID),
                        startNanoseconds: span.startTimeUnixNano, isGenAI: isGenAI, fields: fields))
            }
        }
        return translate(records, ancestry: &ancestry, joiner: joiner, latestAccepted: latestAccepted)
    }

    /// A protobuf export request, read straight from its bytes (``OTLPWireSpans``).
    package func translate(
        protobuf body: [UInt8], ancestry: inout SpanAncestry, joiner: CallJoiner, latestAccepted: UInt64? = nil
    ) throws(OTLPWireError) -> OTLPTranslation {
        translate(
            try OTLPWireSpans.read(body, index: index), ancestry: &ancestry, joiner: joiner,
            latestAccepted: latestAccepted)
    }

    /// Without log records to merge.
    package func translate(
        _ request: OTLPExportTraceServiceRequest, ancestry: inout SpanAncestry, latestAccepted: UInt64? = nil
    ) -> OTLPTranslation {
        translate(request, ancestry: &ancestry, joiner: CallJoiner(wait: 0), latestAccepted: latestAccepted)
    }

    /// A protobuf export request without log records to merge.
    package func translate(
        protobuf body: [UInt8], ancestry: inout SpanAncestry, latestAccepted: UInt64? = nil
    ) throws(OTLPWireError) -> OTLPTranslation {
        try translate(protobuf: body, ancestry: &ancestry, joiner: CallJoiner(wait: 0), latestAccepted: latestAccepted)
    }

    private static func id(of span: OTLPSpan, user: String?) -> String {
        let bytes: [UInt8] = span.spanID.isEmpty ? ((try? span.serializedBytes()) ?? []) : []
        return span.spanID.withUnsafeBytes { spanID in
            span.traceID.withUnsafeBytes { traceID in
                bytes.withUnsafeBytes { SpanEventID.id(spanID: spanID, traceID: traceID, user: user, span: $0) }
            }
        }
    }

    func translate(
        _ records: [SpanRecord], ancestry: inout SpanAncestry, joiner: CallJoiner, latestAccepted: UInt64?
    ) -> OTLPTranslation {
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
            // The span's own fields win; its log records fill in what it lacks (content, often). The parts are
            // let go once the call is published (``CallJoiner/commit(_:)``), so a retried export finds them again.
            // Copied only then: most spans have no records waiting.
            var joined: SpanRecord?
            if !joiner.isEmpty, let key = record.key, let parts = joiner.parts(of: key) {
                joined = record
                joined?.fields.fallBack(to: parts)
                translation.joinedSpans.append(key)
            }
            switch call(joined ?? record, ancestry: ancestry, latestAccepted: latestAccepted) {
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

    private func call(
        _ record: SpanRecord, ancestry: SpanAncestry, latestAccepted: UInt64?
    ) -> Result<ModelCall, OTLPRecordRejection> {
        ModelCallFields.call(
            record.fields, id: record.id, nanoseconds: record.startNanoseconds, limits: limits,
            latestAccepted: latestAccepted
        ) { ownAgent in
            let agent = ownAgent ?? ancestry.agent(of: record.key)
            return (agent, agent.flatMap { ancestry.caller(above: record.key, besides: $0) })
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
