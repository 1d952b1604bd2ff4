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
        /// Accepted and not read: instrumentations export metrics to the same endpoint, and an SDK answered 404
        /// would log an error for every batch. The bridge needs only the calls.
        case metrics
    }

    private let spans: SpanTranslator
    let logs: LogRecordTranslator
    private let ancestry: Mutex<SpanAncestry>
    /// Log records waiting for their spans (``CallJoiner``); ``sweep(now:)`` publishes those that waited long
    /// enough.
    let joiner: Mutex<CallJoiner>
    /// Calls made of parts whose span never came, that no daemon took yet: tried again on the next sweep.
    let unsent = Mutex(OTLPTranslation())
    let publisher: EventPublisher
    let metrics: BridgeMetrics
    private let maxFuture: Duration

    /// `limits` and `maxFuture` are the daemon's (`events`): what it would refuse is refused here, and the
    /// sender told in `partial_success`.
    package init(
        settings: BridgeConfiguration, limits: EventDecoder.Limits, maxFuture: Duration, publisher: EventPublisher,
        metrics: BridgeMetrics
    ) {
        spans = SpanTranslator(settings: settings, limits: limits)
        logs = LogRecordTranslator(settings: settings, limits: limits)
        ancestry = Mutex(SpanAncestry(maxIdentifierBytes: limits.maxIdentifierBytes))
        joiner = Mutex(CallJoiner(wait: UInt64(settings.joinWait / .nanoseconds(1))))
        self.publisher = publisher
        self.metrics = metrics
        self.maxFuture = maxFuture
    }

    package func handle(_ signal: Signal, encoding: OTLPEncoding, body: [UInt8]) -> Response {
        let response = respond(signal, encoding: encoding, body: body)
        metrics.request(signal: signal.rawValue, status: response.status)
        return response
    }

    private func respond(_ signal: Signal, encoding: OTLPEncoding, body: [UInt8]) -> Response {
        if signal == .metrics {
            // An `ExportMetricsServiceResponse` without `partial_success`: nothing in either encoding.
            return Response(
                status: 200, contentType: encoding.contentType, body: encoding == .json ? Array("{}".utf8) : [])
        }
        var translation: OTLPTranslation
        do {
            translation = try translate(signal, encoding: encoding, body: body)
        } catch {
            return Self.status(400, "not an OTLP \(signal.rawValue) export request: \(error)", encoding: encoding)
        }
        if translation.hasParts {
            joiner.withLock { $0.hold(&translation, now: Self.wallClock()) }
        }
        let outcome =
            translation.events.isEmpty
            ? .published : publisher.publish(translation.events, shards: translation.shards)
        if outcome == .published, !translation.joinedSpans.isEmpty {
            joiner.withLock { $0.commit(translation.joinedSpans) }
        }
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
        let latest = latestAccepted()
        switch signal {
        case .traces where encoding == .protobuf:
            let waiting = joiner.withLock { $0 }
            return try ancestry.withLock { ancestry throws in
                try spans.translate(protobuf: body, ancestry: &ancestry, joiner: waiting, latestAccepted: latest)
            }
        case .traces:
            var request = try encoding.decode(OTLPExportTraceServiceRequest.self, from: body)
            OTLPJSONIdentifiers.restore(&request)
            let waiting = joiner.withLock { $0 }
            return ancestry.withLock {
                spans.translate(request, ancestry: &$0, joiner: waiting, latestAccepted: latest)
            }
        case .logs:
            var request = try encoding.decode(OTLPExportLogsServiceRequest.self, from: body)
            if encoding == .json { OTLPJSONIdentifiers.restore(&request) }
            return logs.translate(request, latestAccepted: latest)
        case .metrics:
            return OTLPTranslation()
        }
    }

    /// The daemon's `too_far_ahead` rule on the bridge's clock: now plus `events.max_future`, in nanoseconds.
    private func latestAccepted() -> UInt64 {
        Self.wallClock() + UInt64(maxFuture / .nanoseconds(1))
    }

    /// Nanoseconds since 1970.
    static func wallClock() -> UInt64 { UInt64(max(0, Date().timeIntervalSince1970 * 1e9)) }

    /// The export response; `partial_success` only when something was refused, as the specification asks.
    private static func success(_ signal: Signal, _ translation: OTLPTranslation, encoding: OTLPEncoding) -> [UInt8] {
        let rejected = Int64(translation.rejectedCount)
        switch signal {
        case .traces:
            return encoding.exportResponse(refused: rejected > 0) { (response: inout OTLPExportTraceServiceResponse) in
                response.partialSuccess.rejectedSpans = rejected
                response.partialSuccess.errorMessage = translation.rejectionMessage
            }
        case .logs:
            return encoding.exportResponse(refused: rejected > 0) { (response: inout OTLPExportLogsServiceResponse) in
                response.partialSuccess.rejectedLogRecords = rejected
                response.partialSuccess.errorMessage = translation.rejectionMessage
            }
        case .metrics:
            return []
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
