import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import ServiceLifecycle
import Synchronization

/// An HTTP/1.1 server on SwiftNIO's shared event loops, serving until graceful shutdown: what `/metrics`
/// (``MetricsServer``) and the bridge's OTLP receiver share. Idle connections are closed after
/// `idleTimeout`; with `maxConnections`, connections beyond it are closed as soon as they are accepted.
public struct HTTPListener: Sendable {
    public var host: String
    public var port: Int
    /// What the port is for, in the log line and the error (`metrics`, `OTLP/HTTP`).
    public var purpose: String
    public var idleTimeout: TimeAmount
    public var maxConnections: Int?
    public var backlog: Int32

    public init(
        host: String, port: Int, purpose: String, idleTimeout: TimeAmount, maxConnections: Int? = nil,
        backlog: Int32 = 64
    ) {
        self.host = host
        self.port = port
        self.purpose = purpose
        self.idleTimeout = idleTimeout
        self.maxConnections = maxConnections
        self.backlog = backlog
    }

    /// Binds, calls `onListening`, serves each connection through the HTTP server pipeline and then the
    /// handlers `handlers` adds, and closes the port on graceful shutdown.
    public func serve(
        logger: Logger, onListening: () -> Void = {},
        handlers: @escaping @Sendable (ChannelPipeline.SynchronousOperations) throws -> Void
    ) async throws {
        let idleTimeout = self.idleTimeout
        let open = maxConnections.map(ConnectionCount.init)
        let bootstrap = ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(ChannelOptions.backlog, value: backlog)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                if let open {
                    guard open.admit() else { return channel.close() }
                    channel.closeFuture.whenComplete { _ in open.release() }
                }
                return channel.eventLoop.makeCompletedFuture {
                    let pipeline = channel.pipeline.syncOperations
                    try pipeline.addHandler(IdleStateHandler(readTimeout: idleTimeout))
                    try pipeline.configureHTTPServerPipeline(withErrorHandling: true)
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

/// A listener's open connections, across its event loops.
private final class ConnectionCount: Sendable {
    private let limit: Int
    private let count = Atomic<Int>(0)

    init(_ limit: Int) { self.limit = limit }

    /// Counts a new connection; `false` (and not counted) when `limit` are open.
    func admit() -> Bool {
        let now = count.add(1, ordering: .relaxed).newValue
        if now <= limit { return true }
        count.subtract(1, ordering: .relaxed)
        return false
    }

    func release() { count.subtract(1, ordering: .relaxed) }
}
