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
        for r in request.resourceSpans.indices {
            for s in request.resourceSpans[r].scopeSpans.indices {
                for i in request.resourceSpans[r].scopeSpans[s].spans.indices {
                    restore(&request.resourceSpans[r].scopeSpans[s].spans[i].traceID)
                    restore(&request.resourceSpans[r].scopeSpans[s].spans[i].spanID)
                    restore(&request.resourceSpans[r].scopeSpans[s].spans[i].parentSpanID)
                }
            }
        }
    }

    package static func restore(_ request: inout OTLPExportLogsServiceRequest) {
        for r in request.resourceLogs.indices {
            for s in request.resourceLogs[r].scopeLogs.indices {
                for i in request.resourceLogs[r].scopeLogs[s].logRecords.indices {
                    restore(&request.resourceLogs[r].scopeLogs[s].logRecords[i].traceID)
                    restore(&request.resourceLogs[r].scopeLogs[s].logRecords[i].spanID)
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
