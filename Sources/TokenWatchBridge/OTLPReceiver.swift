import Logging
import NIOCore
import NIOHTTP1
import NIOHTTPCompression
import NIOPosix
import ServiceLifecycle

/// The bridge's HTTP server as a service: listens until graceful shutdown.
package struct OTLPReceiver: Service {
    let host: String
    let port: Int
    let routes: OTLPHTTPHandler.Routes
    let logger: Logger
    /// Called once the port is bound (systemd's READY=1).
    let onListening: @Sendable () -> Void

    package init(
        host: String, port: Int, export: OTLPExportHandler, maxBodyBytes: Int, logger: Logger,
        renderMetrics: @escaping @Sendable () -> String, isHealthy: @escaping @Sendable () -> Bool,
        onListening: @escaping @Sendable () -> Void = {}
    ) {
        self.host = host
        self.port = port
        self.logger = logger
        self.onListening = onListening
        routes = .init(export: export, maxBodyBytes: maxBodyBytes, renderMetrics: renderMetrics, isHealthy: isHealthy)
    }

    /// Connections silent this long are closed; SDK exporters reconnect.
    static let idleTimeout = TimeAmount.seconds(30)

    package func run() async throws {
        let routes = self.routes
        let bootstrap = ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(ChannelOptions.backlog, value: 256)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let pipeline = channel.pipeline.syncOperations
                    try pipeline.addHandler(IdleStateHandler(readTimeout: Self.idleTimeout))
                    try pipeline.configureHTTPServerPipeline(withErrorHandling: true)
                    try pipeline.addHandler(NIOHTTPRequestDecompressor(limit: .size(routes.maxBodyBytes)))
                    try pipeline.addHandler(OTLPHTTPHandler(routes: routes))
                }
            }
        let channel: any Channel
        do {
            channel = try await bootstrap.bind(host: host, port: port).get()
        } catch {
            throw OTLPReceiverError(address: "\(host):\(port)", reason: "\(error)")
        }
        logger.info("OTLP/HTTP listening", metadata: ["address": "\(channel.localAddress.map { "\($0)" } ?? "?")"])
        onListening()
        try? await gracefulShutdown()
        try? await channel.close()
    }
}

/// The OTLP/HTTP port could not be opened (address in use, bad host).
package struct OTLPReceiverError: Error, CustomStringConvertible {
    package var address: String
    package var reason: String
    package var description: String { "cannot listen on \(address) for OTLP/HTTP: \(reason)" }
}
