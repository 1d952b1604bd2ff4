/// The Prometheus endpoint.
public struct MetricsConfiguration: Sendable, Equatable {
    /// `HOST:PORT` of the HTTP endpoint serving `/metrics` and `/healthz`; empty disables it. Default 127.0.0.1:9700.
    public var listen = "127.0.0.1:9700"

    public init() {}
}

extension MetricsConfiguration: DeclaredSettings {
    static var declaredKeys: [SettingKey<Self>] {
        [.hostPort("listen", \.listen, example: "127.0.0.1:9700", emptyDisables: true)]
    }
}
