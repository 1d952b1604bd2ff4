import NIOCore
import NIOHTTP1
import NIOHTTPCompression
import NIOPosix
import TokenWatchOTLP

/// The bridge's HTTP/1.1 routes: `POST /v1/traces`, `/v1/logs` and `/v1/metrics` (OTLP/HTTP), `GET /metrics`
/// and `/healthz`.
///
/// The body is collected up to `maxBodyBytes` (after gzip, which `NIOHTTPRequestDecompressor` undoes with the
/// same limit); past it the request is answered 413 without reading further. The export itself runs on
/// NIO's thread pool: it may wait briefly for room in the daemon's queue, which an event loop must not.
final class OTLPHTTPHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    struct Routes: Sendable {
        let export: OTLPExportHandler
        let maxBodyBytes: Int
        let renderMetrics: @Sendable () -> String
        let isHealthy: @Sendable () -> Bool
    }

    private let routes: Routes
    private var head: HTTPRequestHead?
    private var body: ByteBuffer?
    private var tooLarge = false

    init(routes: Routes) { self.routes = routes }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
            body = context.channel.allocator.buffer(capacity: 0)
            let declared = head.headers.first(name: "content-length").flatMap(Int.init) ?? 0
            tooLarge = declared > routes.maxBodyBytes
        case .body(var chunk):
            guard !tooLarge else { return }
            if (body?.readableBytes ?? 0) + chunk.readableBytes > routes.maxBodyBytes {
                tooLarge = true
                body = nil
            } else {
                body?.writeBuffer(&chunk)
            }
        case .end:
            guard let head else { return }
            self.head = nil
            if tooLarge {
                respond(context, head, status: .payloadTooLarge, text: "body over \(routes.maxBodyBytes) bytes\n")
            } else {
                route(context, head, body: body.map { Array($0.readableBytesView) } ?? [])
            }
            body = nil
        }
    }

    /// A body that fails to inflate (or inflates past the limit) is answered once, for the request in
    /// flight, and the connection closed: the decompressor reports every further chunk too, and a second
    /// response to one request is a protocol violation.
    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard let head = self.head else {
            context.close(promise: nil)
            return
        }
        self.head = nil
        body = nil
        if let error = error as? NIOHTTPDecompression.DecompressionError, error == .limit {
            respond(
                context, head, status: .payloadTooLarge, text: "body over \(routes.maxBodyBytes) bytes\n", close: true)
        } else if error is NIOHTTPDecompression.DecompressionError
            || error is NIOHTTPDecompression.ExtraDecompressionError
        {
            respond(context, head, status: .badRequest, text: "body is not valid gzip or deflate\n", close: true)
        } else {
            context.close(promise: nil)
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is IdleStateHandler.IdleStateEvent { context.close(promise: nil) }
        context.fireUserInboundEventTriggered(event)
    }

    private func route(_ context: ChannelHandlerContext, _ head: HTTPRequestHead, body: [UInt8]) {
        let path = head.uri.split(separator: "?", maxSplits: 1).first.map(String.init) ?? head.uri
        switch (head.method, path) {
        case (.POST, "/v1/traces"): export(context, head, .traces, body: body)
        case (.POST, "/v1/logs"): export(context, head, .logs, body: body)
        case (.POST, "/v1/metrics"): export(context, head, .metrics, body: body)
        case (.GET, "/metrics"):
            respond(
                context, head, status: .ok, text: routes.renderMetrics(),
                type: "text/plain; version=0.0.4; charset=utf-8")
        case (.GET, "/healthz"):
            let healthy = routes.isHealthy()
            respond(
                context, head, status: healthy ? .ok : .serviceUnavailable,
                text: healthy ? "ok\n" : "no daemon connected\n")
        case (_, "/v1/traces"), (_, "/v1/logs"), (_, "/v1/metrics"), (_, "/metrics"), (_, "/healthz"):
            respond(context, head, status: .methodNotAllowed, text: "method not allowed\n")
        default:
            respond(context, head, status: .notFound, text: "not found; OTLP/HTTP is POST /v1/traces and /v1/logs\n")
        }
    }

    private func export(
        _ context: ChannelHandlerContext, _ head: HTTPRequestHead, _ signal: OTLPExportHandler.Signal, body: [UInt8]
    ) {
        guard let encoding = OTLPEncoding(contentType: head.headers.first(name: "content-type") ?? "") else {
            respond(
                context, head, status: .unsupportedMediaType,
                text: "Content-Type must be application/x-protobuf or application/json\n")
            return
        }
        let export = routes.export
        let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        NIOThreadPool.singleton.runIfActive(eventLoop: context.eventLoop) {
            export.handle(signal, encoding: encoding, body: body)
        }.whenComplete { result in
            let (handler, context) = bound.value
            switch result {
            case .success(let response):
                handler.respond(
                    context, head, status: HTTPResponseStatus(statusCode: response.status), bytes: response.body,
                    type: response.contentType, retryAfter: response.status == 503)
            case .failure:
                handler.respond(context, head, status: .serviceUnavailable, text: "shutting down\n")
            }
        }
    }

    private func respond(
        _ context: ChannelHandlerContext, _ head: HTTPRequestHead, status: HTTPResponseStatus, text: String,
        type: String = "text/plain; charset=utf-8", close: Bool = false
    ) {
        respond(context, head, status: status, bytes: Array(text.utf8), type: type, close: close)
    }

    private func respond(
        _ context: ChannelHandlerContext, _ head: HTTPRequestHead, status: HTTPResponseStatus, bytes: [UInt8],
        type: String, retryAfter: Bool = false, close: Bool = false
    ) {
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: type)
        headers.add(name: "Content-Length", value: String(bytes.count))
        if retryAfter { headers.add(name: "Retry-After", value: "1") }
        // A body left unread (413) would be parsed as the next request: the connection ends here.
        let keepAlive = head.isKeepAlive && !close && status != .payloadTooLarge
        if !keepAlive { headers.add(name: "Connection", value: "close") }
        context.write(
            wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: status, headers: headers))),
            promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: bytes)))), promise: nil)
        let done = context.writeAndFlush(wrapOutboundOut(.end(nil)))
        if !keepAlive {
            let channel = context.channel
            done.whenComplete { _ in channel.close(promise: nil) }
        }
    }
}
