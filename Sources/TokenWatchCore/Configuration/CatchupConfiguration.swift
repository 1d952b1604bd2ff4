/// The catch-up socket: "alerts since seq N", answered from the journal.
public struct CatchupConfiguration: Sendable, Equatable {
    /// Where the ROUTER socket binds; empty disables catch-up. Default `tcp://127.0.0.1:7702`.
    public var endpoint = "tcp://127.0.0.1:7702"
    /// The most alerts in one reply. Default 500.
    public var maxBatch = 500

    public init() {}
}

extension CatchupConfiguration: SectionSettings {
    static let keys = ["endpoint", "max_batch"]

    mutating func read(_ section: inout ConfigurationSection) {
        if let text = section.text("endpoint", expecting: "an endpoint or empty") {
            endpoint = text.isEmpty ? "" : section.endpoint("endpoint") ?? endpoint
        }
        maxBatch = section.integer("max_batch", 1...100_000) ?? maxBatch
    }

    var yamlLines: [String] {
        ["endpoint: \(YAMLScalar.quoted(endpoint))", "max_batch: \(maxBatch)"]
    }
}
