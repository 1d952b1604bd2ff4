import Testing
import TokenWatchCore

@testable import TokenWatchForward

/// Receiver URLs that reach a cloud's metadata service or another link-local address, or that carry a user
/// and password, are configuration errors (with file, line and key) unless a key explicitly allows them.
@Suite struct ReceiverTargetTests {
    static let refused = """
        forward:
          alertmanagers: [http://169.254.169.254:9093, http://metadata.google.internal/x, http://2852039166/]
          webhooks:
            - url: http://user:pass@hooks.example.com/x
            - url: http://[fd00:ec2::254]/latest
            - url: https://[fe80::1%25eth0]:8443/hook
            - url: http://[::ffff:169.254.1.1]/
        """

    @Test func linkLocalMetadataAndCredentialURLsAreRefused() throws {
        var text = ""
        #expect {
            try ConfigurationLoader.load(yaml: Self.refused, file: "t.yaml", defaults: .builtIn)
        } throws: { error in
            text = "\(error)"
            return true
        }
        let lines = text.split(separator: "\n").map(String.init)
        let linkLocal =
            "a link-local or cloud metadata address; allowed only with forward.allow_link_local_targets: true"
        #expect(lines.contains("t.yaml:2:19: forward.alertmanagers: '169.254.169.254' is \(linkLocal)"))
        #expect(lines.contains("t.yaml:2:48: forward.alertmanagers: 'metadata.google.internal' is \(linkLocal)"))
        #expect(lines.contains("t.yaml:2:83: forward.alertmanagers: '2852039166' is \(linkLocal)"))
        #expect(
            lines.contains(
                "t.yaml:4:12: forward.webhooks[0].url: carries a user or password (user:pass@); allowed only with forward.allow_url_credentials: true"
            ))
        #expect(lines.contains("t.yaml:5:12: forward.webhooks[1].url: 'fd00:ec2::254' is \(linkLocal)"))
        #expect(
            lines.contains("t.yaml:6:12: forward.webhooks[2].url: 'fe80::1%25eth0' is \(linkLocal)"))
        #expect(lines.contains("t.yaml:7:12: forward.webhooks[3].url: '::ffff:169.254.1.1' is \(linkLocal)"))
        // The password itself is never echoed.
        #expect(!text.contains("pass@hooks"))
    }

    @Test func theKeysAllowThem() throws {
        let yaml = Self.refused + "\n  allow_link_local_targets: true\n  allow_url_credentials: true\n"
        let configuration = try ConfigurationLoader.load(yaml: yaml, file: "t.yaml", defaults: .builtIn)
        #expect(configuration.forward.receivers[AlertmanagerConfiguration.self].urls.count == 3)
        #expect(configuration.forward.receivers[WebhookConfiguration.self].webhooks.count == 4)
        #expect(configuration.forward.allowLinkLocalTargets)
        #expect(configuration.forward.allowURLCredentials)
    }

    /// Private and loopback addresses are ordinary receivers (an Alertmanager beside the daemon).
    @Test(arguments: [
        "http://127.0.0.1:9093", "http://10.0.0.5/hook", "https://[fd00::1]/x", "http://169.255.0.1/",
        "https://hooks.example.com/tokenwatch?token=abc",
    ])
    func ordinaryTargetsAreAccepted(url: String) {
        #expect(ReceiverTarget.problem(url, allowLinkLocal: false, allowCredentials: false) == nil)
    }
}
