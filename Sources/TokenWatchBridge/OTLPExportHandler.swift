import Foundation
import Synchronization
import TokenWatchCore
import TokenWatchOTLP

/// One OTLP/HTTP export, from the decoded body to the response: decode, translate, publish, and answer
/// with OTLP's rules (200 with `partial_success` when some records were refused, 400 for a body that is
/// not an export request, 503 when the events cannot be handed to a daemon right now, which SDKs retry).
/// Knows nothing of HTTP framing, so it is tested without a socket.
package final class OTLPExportHandler: Sendable {
    package struct Response: Sendable {
        package var status: Int
        package var contentType: String
        package var body: [UInt8]
    }

    package enum Signal: String, Sendable {
        case traces
        case logs
    }

    private let spans: SpanTranslator
    private let logs: LogRecordTranslator
    private let ancestry = Mutex(SpanAncestry())
    private let publisher: EventPublisher
    private let metrics: BridgeMetrics

    package init(
        settings: BridgeConfiguration, limits: EventDecoder.Limits, publisher: EventPublisher, metrics: BridgeMetrics
    ) {
        spans = SpanTranslator(settings: settings, limits: limits)
        logs = LogRecordTranslator(settings: settings, limits: limits)
        self.publisher = publisher
        self.metrics = metrics
    }

    package func handle(_ signal: Signal, encoding: OTLPEncoding, body: [UInt8]) -> Response {
        let response = respond(signal, encoding: encoding, body: body)
        metrics.request(signal: signal.rawValue, status: response.status)
        return response
    }

    private func respond(_ signal: Signal, encoding: OTLPEncoding, body: [UInt8]) -> Response {
        let translation: OTLPTranslation
        do {
            translation = try translate(signal, encoding: encoding, body: body)
        } catch {
            return Self.status(400, "not an OTLP \(signal.rawValue) export request: \(error)", encoding: encoding)
        }
        let outcome =
            translation.events.isEmpty
            ? .published : publisher.publish(translation.events, shards: translation.shards)
        metrics.records(signal: signal.rawValue, translation, published: outcome == .published)
        switch outcome {
        case .published:
            return Response(
                status: 200, contentType: encoding.contentType,
                body: Self.success(signal, translation, encoding: encoding))
        case .noSubscriber:
            metrics.daemonConnected(false)
            return Self.status(503, "no TokenWatch daemon takes these users' shards", encoding: encoding)
        case .backpressure:
            return Self.status(503, "the TokenWatch daemon is not keeping up; retry later", encoding: encoding)
        }
    }

    private func translate(_ signal: Signal, encoding: OTLPEncoding, body: [UInt8]) throws -> OTLPTranslation {
        switch signal {
        case .traces where encoding == .protobuf:
            return try ancestry.withLock { ancestry throws in try spans.translate(protobuf: body, ancestry: &ancestry) }
        case .traces:
            var request = try encoding.decode(OTLPExportTraceServiceRequest.self, from: body)
            OTLPJSONIdentifiers.restore(&request)
            return ancestry.withLock { spans.translate(request, ancestry: &$0) }
        case .logs:
            return logs.translate(try encoding.decode(OTLPExportLogsServiceRequest.self, from: body))
        }
    }

    /// The export response; `partial_success` only when something was refused, as the specification asks.
    private static func success(_ signal: Signal, _ translation: OTLPTranslation, encoding: OTLPEncoding) -> [UInt8] {
        let rejected = Int64(translation.rejectedCount)
        switch signal {
        case .traces:
            var response = OTLPExportTraceServiceResponse()
            if rejected > 0 {
                response.partialSuccess.rejectedSpans = rejected
                response.partialSuccess.errorMessage = translation.rejectionMessage
            }
            return encoding.encode(response)
        case .logs:
            var response = OTLPExportLogsServiceResponse()
            if rejected > 0 {
                response.partialSuccess.rejectedLogRecords = rejected
                response.partialSuccess.errorMessage = translation.rejectionMessage
            }
            return encoding.encode(response)
        }
    }

    /// An error response: OTLP/HTTP puts a `google.rpc.Status` in the body.
    package static func status(_ code: Int, _ message: String, encoding: OTLPEncoding) -> Response {
        var status = OTLPStatus()
        status.code = code == 503 ? 14 : 3  // UNAVAILABLE, INVALID_ARGUMENT
        status.message = message
        return Response(status: code, contentType: encoding.contentType, body: encoding.encode(status))
    }
}
