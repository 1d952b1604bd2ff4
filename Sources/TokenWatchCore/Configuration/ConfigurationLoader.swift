import Yams

/// Reads a YAML configuration into a validated ``TokenWatchConfiguration``.
///
/// The file is composed into YAML nodes (which keep their line and column), then each known key is read and
/// checked; unknown keys, wrong types and out-of-range values are all collected and reported together. Keys
/// the file leaves out keep their built-in defaults.
public enum ConfigurationLoader {
    /// The file's values over `defaults`: the built-in configuration, which for the executable carries the
    /// sections of the forward receiver kinds (``ForwardConfiguration/receivers``), whose keys it then accepts.
    public static func load(
        yaml: String, file: String, defaults: TokenWatchConfiguration = TokenWatchConfiguration()
    ) throws(ConfigurationError) -> TokenWatchConfiguration {
        let root: Node?
        do {
            root = try Yams.compose(yaml: yaml)
        } catch {
            throw ConfigurationError(issues: [Self.syntaxIssue(error, file: file)])
        }
        var reader = ConfigurationReader(file: file)
        var configuration = defaults
        if let root {
            reader.read(root, into: &configuration)
        }
        if !reader.issues.isEmpty { throw ConfigurationError(issues: reader.issues) }
        return configuration
    }

    private static func syntaxIssue(_ error: any Error, file: String) -> ConfigurationError.Issue {
        if let yamlError = error as? YamlError {
            switch yamlError {
            case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _):
                return .init(
                    file: file, line: mark.line, column: mark.column, keyPath: "", message: "YAML syntax: \(problem)")
            default: break
            }
        }
        return .init(file: file, line: 0, column: 0, keyPath: "", message: "YAML syntax: \(error)")
    }
}

/// The top level of the file: each section read by its settings, then the detectors, overrides and allowances.
extension ConfigurationReader {
    static let topLevelKeys = TokenWatchConfiguration.sectionNames + ["detectors", "overrides", "allowances"]

    mutating func read(_ root: Node, into configuration: inout TokenWatchConfiguration) {
        guard let top = mapping(root, "", keys: Self.topLevelKeys) else { return }
        struct Sections: ConfigurationSectionVisitor {
            var reader: ConfigurationReader
            let top: [String: Node]
            var configuration: TokenWatchConfiguration
            mutating func visit<Settings: SectionSettings>(
                _ name: String, _ settings: WritableKeyPath<TokenWatchConfiguration, Settings>
            ) {
                if let node = top[name] { reader.read(node, at: name, into: &configuration[keyPath: settings]) }
            }
        }
        var sections = Sections(reader: self, top: top, configuration: configuration)
        TokenWatchConfiguration.forEachSection(&sections)
        (self, configuration) = (sections.reader, sections.configuration)
        if let node = top["detectors"] { readDetectors(node, path: "detectors", into: &configuration.detectors) }
        // After the detectors: an override starts from the configured defaults.
        if let node = top["overrides"] { readOverrides(node, into: &configuration) }
        if let node = top["allowances"] { readAllowances(node, into: &configuration) }
    }

    /// Reads a `detectors:` mapping (the defaults', or an override's) over `settings`, each detector's
    /// section by that detector's settings, in suite order.
    mutating func readDetectors(_ node: Node, path: String, into settings: inout DetectorSettings) {
        guard let sections = mapping(node, path, keys: DetectorSuite.names.map(\.rawValue)) else { return }
        struct Sections: DetectorTypeVisitor {
            var reader: ConfigurationReader
            let sections: [String: Node]
            let path: String
            var settings: DetectorSettings
            mutating func visit<D: Detector>(_ type: D.Type) {
                guard let node = sections[D.name.rawValue] else { return }
                reader.read(node, at: "\(path).\(D.name.rawValue)", into: &settings[D.self])
            }
        }
        var visitor = Sections(reader: self, sections: sections, path: path, settings: settings)
        DetectorSuite.forEachType(&visitor)
        self = visitor.reader
        settings = visitor.settings
    }

    mutating func readOverrides(_ node: Node, into configuration: inout TokenWatchConfiguration) {
        guard let list = sequenceOrEmpty(node, "overrides", what: "a list of {user or team, detectors}") else { return }
        var seen: Set<SubjectOverride.Match> = []
        for (index, item) in list.enumerated() {
            let path = "overrides[\(index)]"
            guard let keys = mapping(item, path, keys: ["user", "team", "detectors"]) else { continue }
            let match: SubjectOverride.Match
            switch (string(keys["user"], "\(path).user"), string(keys["team"], "\(path).team")) {
            case (let user?, nil): match = .user(user)
            case (nil, let team?): match = .team(team)
            default:
                report(item, path, "needs exactly one of user or team")
                continue
            }
            guard seen.insert(match).inserted else {
                report(item, path, "a second override for the same \(keys["user"] != nil ? "user" : "team")")
                continue
            }
            var detectors = configuration.detectors
            if let node = keys["detectors"] { readDetectors(node, path: "\(path).detectors", into: &detectors) }
            configuration.overrides.append(SubjectOverride(match: match, detectors: detectors))
        }
    }

    mutating func readAllowances(_ node: Node, into configuration: inout TokenWatchConfiguration) {
        guard
            let list = sequenceOrEmpty(
                node, "allowances", what: "a list of {user/agent/tool, detectors, reason, expires}")
        else { return }
        for (index, item) in list.enumerated() {
            let path = "allowances[\(index)]"
            guard let keys = mapping(item, path, keys: ["user", "agent", "tool", "detectors", "reason", "expires"])
            else { continue }
            let user = string(keys["user"], "\(path).user")
            let agent = string(keys["agent"], "\(path).agent")
            let tool = string(keys["tool"], "\(path).tool")
            if user == nil && agent == nil && tool == nil && keys["user"] == nil && keys["agent"] == nil
                && keys["tool"] == nil
            {
                report(
                    item, path,
                    "needs at least one of user, agent or tool: an allowance for everyone is a disabled detector")
            }
            var detectors: Set<DetectorName> = []
            if let list = keys["detectors"] {
                if let items = list.sequence {
                    for entry in items {
                        if let name = entry.string, let detector = DetectorName(rawValue: name) {
                            detectors.insert(detector)
                        } else {
                            report(
                                entry, "\(path).detectors",
                                "unknown detector '\(entry.string ?? "?")' (expected \(DetectorName.allCases.map(\.rawValue).joined(separator: ", ")))"
                            )
                        }
                    }
                } else {
                    report(list, "\(path).detectors", "must be a list of detector names")
                }
            }
            guard let reasonNode = keys["reason"], let reason = string(reasonNode, "\(path).reason") else {
                if keys["reason"] == nil {
                    report(item, "\(path).reason", "is required: say why this work is sanctioned")
                }
                continue
            }
            guard let expiresNode = keys["expires"] else {
                report(item, "\(path).expires", "is required: every allowance ends (a date such as 2027-01-31)")
                continue
            }
            guard let expires = expiry(expiresNode, "\(path).expires") else { continue }
            configuration.allowances.append(
                Allowance(user: user, agent: agent, tool: tool, detectors: detectors, reason: reason, expires: expires))
        }
    }

    /// A date (`2027-01-31`, meaning the end of that day, UTC) or an RFC 3339 time.
    mutating func expiry(_ node: Node, _ path: String) -> EventTime? {
        guard let text = scalarText(node, path, expecting: "a date such as 2027-01-31") else { return nil }
        if let time = EventTime(rfc3339: text) { return time }
        if text.count == 10, let start = EventTime(rfc3339: text + "T00:00:00Z") { return start + .seconds(86400) }
        report(node, path, "must be a date such as 2027-01-31 or an RFC 3339 time, not '\(text)'")
        return nil
    }

}
