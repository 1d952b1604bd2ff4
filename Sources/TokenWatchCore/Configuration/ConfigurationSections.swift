/// Something done with each plain section of the configuration: reading it, printing it, naming it.
protocol ConfigurationSectionVisitor {
    mutating func visit<Settings: SectionSettings>(
        _ name: String, _ settings: WritableKeyPath<TokenWatchConfiguration, Settings>)
}

extension TokenWatchConfiguration {
    /// Every top-level section but the detectors, overrides and allowances (which have their own shapes), each
    /// named once: the loader reads them, `check-config --print` writes them and the unknown-key message lists
    /// them, all in this order (the layout of `Config/tokenwatch.yaml`).
    static func forEachSection<Visitor: ConfigurationSectionVisitor>(_ visitor: inout Visitor) {
        visitor.visit("events", \.events)
        visitor.visit("alerts", \.alerts)
        visitor.visit("logging", \.logging)
        visitor.visit("metrics", \.metrics)
        visitor.visit("report", \.report)
        visitor.visit("state", \.state)
        visitor.visit("journal", \.journal)
        visitor.visit("security", \.security)
        visitor.visit("privacy", \.privacy)
        visitor.visit("catchup", \.catchup)
        visitor.visit("bridge", \.bridge)
        visitor.visit("forward", \.forward)
    }

    /// The sections' names, in order.
    static let sectionNames: [String] = {
        struct Names: ConfigurationSectionVisitor {
            var names: [String] = []
            mutating func visit<Settings: SectionSettings>(
                _ name: String, _: WritableKeyPath<TokenWatchConfiguration, Settings>
            ) { names.append(name) }
        }
        var names = Names()
        forEachSection(&names)
        return names.names
    }()
}
