import TokenWatchCore

/// The Alertmanager receivers' keys in `forward`: `alertmanagers`, and how often open alerts are sent again.
package struct AlertmanagerConfiguration: ForwardReceiverSection {
    /// Alertmanager base URLs (`http://host:9093`), each sent every alert, in the order they are named
    /// `alertmanager-<index>`. Default none.
    package var urls: [String] = []
    /// How often open alerts are sent to Alertmanager again, so that they do not expire while they fire
    /// (Alertmanager's client contract; each carries `endsAt` four intervals ahead). Default 1 min.
    package var resendInterval: Duration = .seconds(60)

    package init() {}

    package static let keys = ["alertmanagers", "resend_interval"]

    package mutating func read(_ section: inout ConfigurationSection, in forward: ForwardConfiguration) {
        urls = section.strings("alertmanagers", what: "a list of URLs", forward.targetProblem) ?? urls
        resendInterval = section.duration("resend_interval") ?? resendInterval
    }

    package var yamlLines: [String] {
        [
            "alertmanagers: \(YAMLScalar.list(urls.map(YAMLScalar.quoted)))",
            "resend_interval: \(YAMLScalar.duration(resendInterval))",
        ]
    }
}
