public struct LoggingConfiguration: Sendable, Equatable {
    /// One of trace, debug, info, notice, warning, error, critical. Default info.
    public var level = "info"

    public init() {}
}

extension LoggingConfiguration: SectionSettings {
    static let keys = ["level"]
    static let levels = ["trace", "debug", "info", "notice", "warning", "error", "critical"]

    mutating func read(_ section: inout ConfigurationSection) {
        guard let text = section.string("level") else { return }
        if Self.levels.contains(text) {
            level = text
        } else {
            section.report("level", "must be one of \(Self.levels.joined(separator: ", ")), not '\(text)'")
        }
    }

    var yamlLines: [String] { ["level: \(level)"] }
}
