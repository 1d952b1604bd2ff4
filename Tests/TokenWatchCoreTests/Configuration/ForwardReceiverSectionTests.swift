import Testing

@testable import TokenWatchCore

/// A receiver kind's keys declared outside Core, as the forward module declares its receivers': accepted in
/// `forward` only when the defaults the file is read over carry the kind's section, read and printed between
/// the section's source and delivery keys, and reported with their line and key when wrong.
@Suite struct ForwardReceiverSectionTests {
    /// A stand-in for a PagerDuty Events v2 receiver: its routing keys and its severity.
    struct PagerDutyConfiguration: ForwardReceiverSection {
        var routingKeys: [String] = []
        var severity = "warning"

        static let keys = ["pagerduty_routing_keys", "pagerduty_severity"]

        mutating func read(_ section: inout ConfigurationSection, in forward: ForwardConfiguration) {
            routingKeys = section.strings("pagerduty_routing_keys", what: "a list of keys") { _ in nil } ?? routingKeys
            if let text = section.string("pagerduty_severity") {
                if ["warning", "critical"].contains(text) {
                    severity = text
                } else {
                    section.report("pagerduty_severity", "must be warning or critical, not '\(text)'")
                }
            }
        }

        var yamlLines: [String] {
            [
                "pagerduty_routing_keys: \(YAMLScalar.list(routingKeys.map(YAMLScalar.quoted)))",
                "pagerduty_severity: \(severity)",
            ]
        }
    }

    static var defaults: TokenWatchConfiguration {
        var configuration = TokenWatchConfiguration()
        configuration.forward.receivers = ForwardReceiverSections([PagerDutyConfiguration()])
        return configuration
    }

    @Test func aSectionDeclaredOutsideCoreIsReadAndPrintedInItsPlace() throws {
        let yaml = "forward:\n  pagerduty_severity: critical\n  pagerduty_routing_keys: [abc]\n  max_queue: 5\n"
        let configuration = try ConfigurationLoader.load(yaml: yaml, file: "p.yaml", defaults: Self.defaults)
        let section = configuration.forward.receivers[PagerDutyConfiguration.self]
        #expect(section.routingKeys == ["abc"])
        #expect(section.severity == "critical")
        let printed = ConfigurationRenderer.yaml(configuration).split(separator: "\n").map(String.init)
        let metrics = try #require(printed.firstIndex(of: "  metrics: \"127.0.0.1:9702\""))
        #expect(
            Array(printed[(metrics + 1)...(metrics + 3)]) == [
                "  pagerduty_routing_keys: [\"abc\"]", "  pagerduty_severity: critical", "  timeout: 10s",
            ])
        let again = try ConfigurationLoader.load(
            yaml: ConfigurationRenderer.yaml(configuration), file: "printed", defaults: Self.defaults)
        #expect(again == configuration)
        #expect(again != Self.defaults)
    }

    @Test func aWrongValueNamesItsLineAndKey() {
        #expect {
            _ = try ConfigurationLoader.load(
                yaml: "forward:\n  timeout: 1s\n  pagerduty_severity: loud\n", file: "p.yaml", defaults: Self.defaults)
        } throws: { error in
            "\(error)" == "p.yaml:3:23: forward.pagerduty_severity: must be warning or critical, not 'loud'"
        }
    }

    @Test func itsKeysAreUnknownWithoutItsSection() {
        #expect {
            _ = try ConfigurationLoader.load(yaml: "forward:\n  pagerduty_severity: critical\n", file: "p.yaml")
        } throws: { error in
            "\(error)".hasPrefix("p.yaml:2:3: forward.pagerduty_severity: unknown key (expected one of: connect,")
        }
    }
}
