public struct LoggingConfiguration: Sendable, Equatable {
    /// One of trace, debug, info, notice, warning, error, critical. Default info.
    public var level = "info"

    public init() {}
}

extension LoggingConfiguration: DeclaredSettings {
    static let levels = ["trace", "debug", "info", "notice", "warning", "error", "critical"]

    static var declaredKeys: [SettingKey<Self>] { [.choice("level", \.level, levels)] }
}
