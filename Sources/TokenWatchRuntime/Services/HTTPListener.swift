import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import ServiceLifecycle

/// An HTTP/1.1 server on SwiftNIO's shared event loops, serving until graceful shutdown: what `/metrics`
/// (``MetricsServer``) and the bridge's OTLP receiver share.
///
/// Idle connections are closed after `idleTimeout`; with `requestTimeout`, so is a connection whose request is
/// not read whole (head and body) within that time of its first byte, which a sender trickling a byte at a time
/// would otherwise keep open. With `maxConnections`, a connection beyond it is refused or takes the place of the
/// connection that has gone longest without a request served (``ConnectionLimit``). When the process runs out
/// of descriptors, accepting pauses for a second (NIO's `AcceptBackoffHandler`) instead of retrying at once.
public struct HTTPListener: Sendable {
    public var host: String
    public var port: Int
    /// What the port is for, in the log line and the error (`metrics`, `OTLP/HTTP`).
    public var purpose: String
    public var idleTimeout: TimeAmount
    public var requestTimeout: TimeAmount?
    public var maxConnections: Int?
    public var whenFull: ConnectionLimit.Policy
    public var backlog: Int32

    public init(
        host: String, port: Int, purpose: String, idleTimeout: TimeAmount, requestTimeout: TimeAmount? = nil,
        maxConnections: Int? = nil, whenFull: ConnectionLimit.Policy = .refuseNew, backlog: Int32 = 64
    ) {
        self.host = host
        self.port = port
        self.purpose = purpose
        self.idleTimeout = idleTimeout
        self.requestTimeout = requestTimeout
        self.maxConnections = maxConnections
        self.whenFull = whenFull
        self.backlog = backlog
    }

    /// Binds, calls `onListening`, serves each connection through the HTTP server pipeline and then the
    /// handlers `handlers` adds, and closes the port on graceful shutdown.
    public func serve(
        logger: Logger, onListening: () -> Void = {},
        handlers: @escaping @Sendable (ChannelPipeline.SynchronousOperations) throws -> Void
    ) async throws {
        let idleTimeout = self.idleTimeout
        let requestTimeout = self.requestTimeout
        let open = maxConnections.map { ConnectionLimit($0, whenFull: whenFull) }
        let bootstrap = ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(ChannelOptions.backlog, value: backlog)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .serverChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(AcceptBackoffHandler())
                }
            }
            .childChannelInitializer { channel in
                if let open {
                    guard open.admit(channel) else { return channel.close() }
                    channel.closeFuture.whenComplete { _ in open.release(channel) }
                }
                return channel.eventLoop.makeCompletedFuture {
                    let pipeline = channel.pipeline.syncOperations
                    try pipeline.addHandler(IdleStateHandler(readTimeout: idleTimeout))
                    try pipeline.configureHTTPServerPipeline(withErrorHandling: true)
                    if requestTimeout != nil || open != nil {
                        let watch = RequestWatch(timeout: requestTimeout, served: { open?.served(channel) })
                        try pipeline.addHandler(watch.firstByte, position: .first)
                        try pipeline.addHandler(watch.lastPart)
                    }
                    try handlers(pipeline)
                }
            }
        let channel: any Channel
        do {
            channel = try await bootstrap.bind(host: host, port: port).get()
        } catch {
            throw HTTPListenError(address: "\(host):\(port)", purpose: purpose, reason: "\(error)")
        }
        logger.info(
            "\(purpose) listening", metadata: ["address": "\(channel.localAddress.map { "\($0)" } ?? "?")"])
        onListening()
        try? await gracefulShutdown()
        try? await channel.close()
    }
}

/// An HTTP port could not be opened (address in use, bad host).
public struct HTTPListenError: Error, CustomStringConvertible {
    public var address: String
    public var purpose: String
    public var reason: String
    public var description: String { "cannot listen on \(address) for \(purpose): \(reason)" }
}
