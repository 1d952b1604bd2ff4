import Foundation
import TokenWatchCore

/// Reads the spans of a protobuf `ExportTraceServiceRequest` straight from its bytes, field numbers as in
/// `otlp_subset.proto`: only what translation uses, and a String only for the attributes the bridge maps.
/// SwiftProtobuf's generated messages (kept for OTLP/JSON, logs and the responses) make a String of every key
/// and value and an array of every list, which was a third of the bridge's time (perf, `bridge_cost.py`).
/// A test checks that both readers give the same events.
enum OTLPWireSpans {
    static func read(_ body: [UInt8], index: AttributeIndex) throws(OTLPWireError) -> [SpanRecord] {
        var records: [SpanRecord] = []
        let result: Result<Void, OTLPWireError> = body.withUnsafeBytes { buffer in
            Result { () throws(OTLPWireError) in
                var request = WireReader(buffer)
                try request.forEachMessage(in: 1) { (resourceSpans) throws(OTLPWireError) in
                    try readResourceSpans(&resourceSpans, index: index, into: &records)
                }
            }
        }
        try result.get()
        return records
    }

    /// The resource may come after its spans on the wire: spans are read once the whole message is seen.
    private static func readResourceSpans(
        _ reader: inout WireReader, index: AttributeIndex, into records: inout [SpanRecord]
    ) throws(OTLPWireError) {
        var shared = FieldCollector()
        var scopes: [WireReader] = []
        while let (number, wire) = try reader.nextField() {
            switch number {
            case 1:
                try WireReader.expect(wire, .lengthDelimited)
                var resource = try reader.nested()
                try resource.forEachMessage(in: 1) { (pair) throws(OTLPWireError) in
                    try readAttribute(&pair, index: index, into: &shared)
                }
            case 2:
                try WireReader.expect(wire, .lengthDelimited)
                scopes.append(try reader.nested())
            default:
                try reader.skip(wire)
            }
        }
        for var scope in scopes {
            try scope.forEachMessage(in: 2) { (span) throws(OTLPWireError) in
                records.append(try readSpan(&span, index: index, resource: shared.values))
            }
        }
    }

    private static func readSpan(
        _ reader: inout WireReader, index: AttributeIndex, resource: FieldValues
    ) throws(OTLPWireError) -> SpanRecord {
        var record = SpanRecord(id: "", key: nil, parent: nil, startNanoseconds: 0, isGenAI: false, fields: .init())
        let whole = reader.remaining
        var spanID = UnsafeRawBufferPointer(start: nil, count: 0)
        var traceID = spanID
        var own = FieldCollector()
        var events = FieldCollector()
        var hasEvents = false
        while let (number, wire) = try reader.nextField() {
            switch number {
            case 1, 2, 4:
                try WireReader.expect(wire, .lengthDelimited)
                let id = try reader.nested().remaining
                if number == 1 {
                    traceID = id
                } else if number == 2 {
                    spanID = id
                    record.key = SpanAncestry.key(id)
                } else {
                    record.parent = SpanAncestry.key(id)
                }
            case 7:
                try WireReader.expect(wire, .fixed64)
                record.startNanoseconds = try reader.fixed64()
            case 9:
                try WireReader.expect(wire, .lengthDelimited)
                var pair = try reader.nested()
                try readAttribute(&pair, index: index, into: &own)
            case 11:
                try WireReader.expect(wire, .lengthDelimited)
                var event = try reader.nested()
                try readEvent(&event, index: index, into: &events)
                hasEvents = true
            default:
                try reader.skip(wire)
            }
        }
        record.fields = own.values
        if hasEvents { record.fields.fallBack(to: events.values) }
        record.fields.fallBack(to: resource)
        record.isGenAI = own.isGenAI || record.fields.hasTokens
        let user = spanID.isEmpty ? (try? record.fields.person()) ?? nil : nil
        record.id = SpanEventID.id(spanID: spanID, traceID: traceID, user: user, span: whole)
        return record
    }

    /// A span event's attributes, when it is one that carries the call's content (`gen_ai.content.prompt` with
    /// `gen_ai.prompt`, `gen_ai.content.completion` with `gen_ai.completion`, as older instrumentations write it).
    /// The span's own attributes win over them.
    private static func readEvent(
        _ reader: inout WireReader, index: AttributeIndex, into collector: inout FieldCollector
    ) throws(OTLPWireError) {
        var name: UnsafeRawBufferPointer?
        var attributes: [WireReader] = []
        while let (number, wire) = try reader.nextField() {
            switch number {
            case 2:
                try WireReader.expect(wire, .lengthDelimited)
                name = try reader.nested().remaining
            case 3:
                try WireReader.expect(wire, .lengthDelimited)
                attributes.append(try reader.nested())
            default:
                try reader.skip(wire)
            }
        }
        guard let name, name.starts(with: contentEventPrefix) else { return }
        for var pair in attributes { try readAttribute(&pair, index: index, into: &collector) }
    }

    private static let contentEventPrefix = Array("gen_ai.content.".utf8)

    /// One `KeyValue`: its value is read only when the key is one the bridge maps.
    private static func readAttribute(
        _ reader: inout WireReader, index: AttributeIndex, into collector: inout FieldCollector
    ) throws(OTLPWireError) {
        var key: UnsafeRawBufferPointer?
        var value: WireReader?
        while let (number, wire) = try reader.nextField() {
            switch number {
            case 1:
                try WireReader.expect(wire, .lengthDelimited)
                key = try reader.nested().remaining
            case 2:
                try WireReader.expect(wire, .lengthDelimited)
                value = try reader.nested()
            default:
                try reader.skip(wire)
            }
        }
        guard let key else { return }
        if key.starts(with: AttributeIndex.genAIPrefix) { collector.isGenAI = true }
        guard let slots = index.slots(forKey: key), var value else { return }
        let read = try readValue(&value)
        collector.offer(slots) { read }
    }

    /// A string field's text. Most attribute values are ASCII, which needs no further validation.
    private static func text(_ bytes: UnsafeRawBufferPointer) throws(OTLPWireError) -> String {
        if bytes.allSatisfy({ $0 < 0x80 }) { return String(decoding: bytes, as: UTF8.self) }
        guard let text = String(validating: bytes, as: UTF8.self) else { throw .invalidUTF8 }
        return text
    }

    /// An `AnyValue`; the last of its fields wins, as protobuf's oneof rules say.
    private static func readValue(_ reader: inout WireReader) throws(OTLPWireError) -> AttributeValue? {
        let whole = reader.remaining
        var value: AttributeValue?
        while let (number, wire) = try reader.nextField() {
            switch (number, wire) {
            case (1, .lengthDelimited):
                value = .text(try text(reader.nested().remaining))
            case (3, .varint): value = .integer(Int64(bitPattern: try reader.varint()))
            case (4, .fixed64): value = .double(Double(bitPattern: try reader.fixed64()))
            case (5, .lengthDelimited), (6, .lengthDelimited):
                _ = try reader.nested()
                guard let structured = try? OTLPAnyValue(serializedBytes: Array(whole)) else { throw .malformed }
                value = .structured(structured)
            case (2, .varint), (7, .lengthDelimited):
                try reader.skip(wire)
                value = .other
            case (1...7, _):
                throw .malformed
            default:
                try reader.skip(wire)
            }
        }
        return value
    }
}
