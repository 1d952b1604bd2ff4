/// The Prometheus endpoint.
public struct MetricsConfiguration: Sendable, Equatable {
    /// `HOST:PORT` of the HTTP endpoint serving `/metrics` and `/healthz`; empty disables it. Default 127.0.0.1:9700.
    public var listen = "127.0.0.1:9700"

    public init() {}
}

extension MetricsConfiguration: SectionSettings {
    static let keys = ["listen"]

    mutating func read(_ section: inout ConfigurationSection) {
        listen = section.hostPort("listen", example: "127.0.0.1:9700", emptyDisables: true) ?? listen
    }

    var yamlLines: [String] { ["listen: \(YAMLScalar.quoted(listen))"] }
}
