/// The Prometheus endpoint.
public struct MetricsConfiguration: Sendable, Equatable {
    /// `HOST:PORT` of the HTTP endpoint serving `/metrics` and `/healthz`; empty disables it. Default 127.0.0.1:9700.
    public var listen = "127.0.0.1:9700"

    public init() {}
}

extension MetricsConfiguration: SectionSettings {
    static let keys = ["listen"]

    mutating func read(_ section: inout ConfigurationSection) {
        guard let text = section.text("listen", expecting: "HOST:PORT or empty") else { return }
        if text.isEmpty || HostPort(text) != nil {
            listen = text
        } else {
            section.report("listen", "must be HOST:PORT such as 127.0.0.1:9700 (or empty to disable), not '\(text)'")
        }
    }

    var yamlLines: [String] { ["listen: \(YAMLScalar.quoted(listen))"] }
}
