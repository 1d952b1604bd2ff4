import Foundation
import SwiftProtobuf

/// The two encodings OTLP/HTTP allows, chosen by the request's `Content-Type`; the response uses the same.
package enum OTLPEncoding: Sendable {
    case protobuf
    case json

    /// `nil` for any other content type (answered 415).
    package init?(contentType: String) {
        let media = contentType.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
        switch media.lowercased() {
        case "application/x-protobuf", "application/protobuf": self = .protobuf
        case "application/json": self = .json
        default: return nil
        }
    }

    package var contentType: String { self == .protobuf ? "application/x-protobuf" : "application/json" }

    package func decode<M: SwiftProtobuf.Message>(_ type: M.Type, from body: [UInt8]) throws -> M {
        switch self {
        case .protobuf:
            // Fields outside the subset (span kind, status, events, links) would otherwise be copied aside.
            var options = BinaryDecodingOptions()
            options.discardUnknownFields = true
            return try M(serializedBytes: body, options: options)
        case .json:
            var options = JSONDecodingOptions()
            options.ignoreUnknownFields = true
            return try M(jsonUTF8Bytes: body, options: options)
        }
    }

    /// An export's answer of type `Response`: empty when nothing was refused; else `refuse` writes its
    /// `partial_success` (whose fields differ by signal), as the specification asks.
    package func exportResponse<Response: SwiftProtobuf.Message>(
        refused: Bool, _ refuse: (inout Response) -> Void
    ) -> [UInt8] {
        var response = Response()
        if refused { refuse(&response) }
        return encode(response)
    }

    package func encode(_ message: some SwiftProtobuf.Message) -> [UInt8] {
        switch self {
        case .protobuf: return (try? message.serializedBytes()) ?? []
        case .json: return (try? message.jsonUTF8Bytes()) ?? Array("{}".utf8)
        }
    }
}

/// OTLP/JSON writes trace and span ids in hexadecimal, where protobuf's JSON mapping expects base64. Both
/// alphabets share the hex digits, so the decoder read the hex text as base64; writing those bytes back as
/// base64 gives the text again, which is then read as the hex it was.
package enum OTLPJSONIdentifiers {
    package static func restore(_ request: inout OTLPExportTraceServiceRequest) {
        restore(&request, \.resourceSpans, \.scopeSpans, \.spans, ids: [\.traceID, \.spanID, \.parentSpanID])
    }

    package static func restore(_ request: inout OTLPExportLogsServiceRequest) {
        restore(&request, \.resourceLogs, \.scopeLogs, \.logRecords, ids: [\.traceID, \.spanID])
    }

    /// The ids of every item (span or log record) of every scope of every resource of `request`.
    private static func restore<Request, Resource, Scope, Item>(
        _ request: inout Request, _ resources: WritableKeyPath<Request, [Resource]>,
        _ scopes: WritableKeyPath<Resource, [Scope]>, _ items: WritableKeyPath<Scope, [Item]>,
        ids: [WritableKeyPath<Item, Data>]
    ) {
        for r in request[keyPath: resources].indices {
            for s in request[keyPath: resources][r][keyPath: scopes].indices {
                for i in request[keyPath: resources][r][keyPath: scopes][s][keyPath: items].indices {
                    for id in ids {
                        restore(&request[keyPath: resources][r][keyPath: scopes][s][keyPath: items][i][keyPath: id])
                    }
                }
            }
        }
    }

    static func restore(_ id: inout Data) {
        guard !id.isEmpty else { return }
        let text = Array(id.base64EncodedString().utf8)
        guard text.count % 2 == 0 else { return }
        var bytes = Data(capacity: text.count / 2)
        var index = 0
        while index < text.count {
            guard let high = hexValue(text[index]), let low = hexValue(text[index + 1]) else { return }
            bytes.append(high << 4 | low)
            index += 2
        }
        id = bytes
    }

    private static func hexValue(_ character: UInt8) -> UInt8? {
        switch character {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return character - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return character - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return character - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}
