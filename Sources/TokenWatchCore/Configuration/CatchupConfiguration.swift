/// The catch-up socket: "alerts since seq N", answered from the journal.
public struct CatchupConfiguration: Sendable, Equatable {
    /// Where the ROUTER socket binds; empty disables catch-up. Default `tcp://127.0.0.1:7702`.
    public var endpoint = "tcp://127.0.0.1:7702"
    /// The most alerts in one reply. Default 500.
    public var maxBatch = 500

    public init() {}
}

extension CatchupConfiguration: DeclaredSettings {
    static var declaredKeys: [SettingKey<Self>] {
        [.endpoint("endpoint", \.endpoint, emptyDisables: true), .integer("max_batch", \.maxBatch, 1...100_000)]
    }
}
