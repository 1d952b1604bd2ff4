/// Writes a configuration back as YAML in the layout of `Config/tokenwatch.yaml`: what
/// `tokenwatch check-config --print` shows, the effective values after defaults and flags. Reading the
/// output back gives the same configuration.
public enum ConfigurationRenderer {
    public static func yaml(_ c: TokenWatchConfiguration) -> String {
        struct Sections: ConfigurationSectionVisitor {
            let configuration: TokenWatchConfiguration
            var text = ""
            mutating func visit<Settings: SectionSettings>(
                _ name: String, _ settings: WritableKeyPath<TokenWatchConfiguration, Settings>
            ) {
                text += "\(name):\n"
                for line in configuration[keyPath: settings].yamlLines { text += "  \(line)\n" }
            }
        }
        var sections = Sections(configuration: c)
        TokenWatchConfiguration.forEachSection(&sections)
        var text = sections.text
        text += "detectors:\n"
        text += detectors(c.detectors, indent: "  ")
        text += c.overrides.isEmpty ? "overrides: []\n" : "overrides:\n"
        for override in c.overrides {
            switch override.match {
            case .user(let user): text += "  - user: \(YAMLScalar.quoted(user))\n"
            case .team(let team): text += "  - team: \(YAMLScalar.quoted(team))\n"
            }
            text += "    detectors:\n"
            text += detectors(override.detectors, indent: "      ")
        }
        text += c.allowances.isEmpty ? "allowances: []\n" : "allowances:\n"
        for allowance in c.allowances { text += lines(of: allowance) }
        return text
    }

    /// Every detector's section, in suite order, each line prefixed with `indent`.
    private static func detectors(_ settings: DetectorSettings, indent: String) -> String {
        struct Sections: DetectorTypeVisitor {
            let settings: DetectorSettings
            let indent: String
            var text = ""
            mutating func visit<D: Detector>(_ type: D.Type) {
                text += "\(indent)\(D.name.rawValue):\n"
                for line in settings[D.self].yamlLines { text += "\(indent)  \(line)\n" }
            }
        }
        var visitor = Sections(settings: settings, indent: indent)
        DetectorSuite.forEachType(&visitor)
        return visitor.text
    }

    private static func lines(of allowance: Allowance) -> String {
        var text = ""
        var first = true
        func field(_ name: String, _ value: String) {
            text += (first ? "  - " : "    ") + "\(name): \(value)\n"
            first = false
        }
        if let user = allowance.user { field("user", YAMLScalar.quoted(user)) }
        if let agent = allowance.agent { field("agent", YAMLScalar.quoted(agent)) }
        if let tool = allowance.tool { field("tool", YAMLScalar.quoted(tool)) }
        field("detectors", YAMLScalar.list(allowance.detectors.map(\.rawValue).sorted()))
        field("reason", YAMLScalar.quoted(allowance.reason))
        field("expires", YAMLScalar.quoted(allowance.expires.rfc3339))
        return text
    }
}
