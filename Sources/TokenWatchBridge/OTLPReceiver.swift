import Logging
import NIOCore
import NIOHTTPCompression
import ServiceLifecycle
import TokenWatchRuntime

/// The bridge's HTTP server as a service: listens until graceful shutdown.
package struct OTLPReceiver: Service {
    let host: String
    let port: Int
    let routes: OTLPHTTPHandler.Routes
    let maxConnections: Int
    let requestTimeout: Duration
    let logger: Logger
    /// Called once the port is bound (systemd's READY=1).
    let onListening: @Sendable () -> Void

    /// `maxConnections` and `requestTimeout` as in ``BridgeConfiguration``: with them, senders that hold
    /// connections open without finishing a request cannot lock out exporters.
    package init(
        host: String, port: Int, export: OTLPExportHandler, maxBodyBytes: Int, maxConnections: Int,
        requestTimeout: Duration, logger: Logger,
        renderMetrics: @escaping @Sendable () -> String, isHealthy: @escaping @Sendable () -> Bool,
        onListening: @escaping @Sendable () -> Void = {}
    ) {
        self.host = host
        self.port = port
        self.maxConnections = maxConnections
        self.requestTimeout = requestTimeout
        self.logger = logger
        self.onListening = onListening
        routes = .init(export: export, maxBodyBytes: maxBodyBytes, renderMetrics: renderMetrics, isHealthy: isHealthy)
    }

    /// Connections silent this long are closed; SDK exporters reconnect.
    static let idleTimeout = TimeAmount.seconds(30)

    package func run() async throws {
        let routes = self.routes
        let listener = HTTPListener(
            host: host, port: port, purpose: "OTLP/HTTP", idleTimeout: Self.idleTimeout,
            requestTimeout: .milliseconds(Int64(requestTimeout / .milliseconds(1))),
            maxConnections: maxConnections, whenFull: .closeLeastRecentlyServed, backlog: 256)
        try await listener.serve(logger: logger, onListening: onListening) { pipeline in
            try pipeline.addHandler(NIOHTTPRequestDecompressor(limit: .size(routes.maxBodyBytes)))
            try pipeline.addHandler(OTLPHTTPHandler(routes: routes))
        }
    }
}
