import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import ServiceLifecycle

/// Serves `GET /metrics` (Prometheus text exposition) and `GET /healthz` over HTTP/1.1 with SwiftNIO.
///
/// What to expose is injected (`render`, `isHealthy`), so the server knows nothing of the registry or the
/// pipeline. It stops accepting on graceful shutdown (``HTTPListener``).
public struct MetricsServer: Service {
    let host: String
    let port: Int
    let render: @Sendable () -> String
    let isHealthy: @Sendable () -> Bool
    let logger: Logger

    public init(
        host: String, port: Int, logger: Logger, render: @escaping @Sendable () -> String,
        isHealthy: @escaping @Sendable () -> Bool
    ) {
        self.host = host
        self.port = port
        self.render = render
        self.isHealthy = isHealthy
        self.logger = logger
    }

    /// A connection that sends nothing for this long is closed: idle connections must not hold the
    /// daemon's file descriptors, which its journal, checkpoints and sockets need.
    public static let idleTimeout = TimeAmount.seconds(10)
    /// The most connections open at once; further ones are closed as soon as they are accepted. A scraper
    /// needs one.
    public static let maxConnections = 32

    public func run() async throws {
        let render = self.render
        let isHealthy = self.isHealthy
        let listener = HTTPListener(
            host: host, port: port, purpose: "metrics", idleTimeout: Self.idleTimeout,
            maxConnections: Self.maxConnections)
        try await listener.serve(logger: logger) { pipeline in
            try pipeline.addHandler(MetricsHTTPHandler(render: render, isHealthy: isHealthy))
        }
    }
}

private final class MetricsHTTPHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    let render: @Sendable () -> String
    let isHealthy: @Sendable () -> Bool
    private var request: HTTPRequestHead?

    init(render: @escaping @Sendable () -> String, isHealthy: @escaping @Sendable () -> Bool) {
        self.render = render
        self.isHealthy = isHealthy
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is IdleStateHandler.IdleStateEvent {
            context.close(promise: nil)
        } else {
            context.fireUserInboundEventTriggered(event)
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head): request = head
        case .body: break
        case .end:
            guard let request else { return }
            self.request = nil
            respond(to: request, context: context)
        }
    }

    private func respond(to request: HTTPRequestHead, context: ChannelHandlerContext) {
        let path = request.uri.split(separator: "?", maxSplits: 1).first.map(String.init) ?? request.uri
        let status: HTTPResponseStatus
        let body: String
        var contentType = "text/plain; charset=utf-8"
        switch (request.method, path) {
        case (.GET, "/metrics"), (.HEAD, "/metrics"):
            status = .ok
            body = render()
            contentType = "text/plain; version=0.0.4; charset=utf-8"
        case (.GET, "/healthz"), (.HEAD, "/healthz"):
            let healthy = isHealthy()
            status = healthy ? .ok : .serviceUnavailable
            body = healthy ? "ok\n" : "ingest thread not running\n"
        case (_, "/metrics"), (_, "/healthz"):
            status = .methodNotAllowed
            body = "only GET and HEAD\n"
        default:
            status = .notFound
            body = "not found; try /metrics or /healthz\n"
        }
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: contentType)
        headers.add(name: "Content-Length", value: "\(body.utf8.count)")
        let keepAlive = request.isKeepAlive
        if !keepAlive { headers.add(name: "Connection", value: "close") }
        context.write(
            wrapOutboundOut(.head(HTTPResponseHead(version: request.version, status: status, headers: headers))),
            promise: nil)
        if request.method != .HEAD {
            context.write(
                wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(string: body)))), promise: nil)
        }
        let done = context.writeAndFlush(wrapOutboundOut(.end(nil)))
        if !keepAlive {
            let channel = context.channel
            done.whenComplete { _ in channel.close(promise: nil) }
        }
    }
}
