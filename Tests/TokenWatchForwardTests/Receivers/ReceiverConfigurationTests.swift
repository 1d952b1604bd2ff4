import Foundation
import Testing
import TokenWatchCore

@testable import TokenWatchForward

/// Each receiver kind's keys live in its folder (`WebhookConfiguration`, `AlertmanagerConfiguration`) and reach
/// the configuration through the registry: read from a file among the forward section's own keys, printed in
/// their place, and reported with the file, line and key when wrong.
@Suite struct ReceiverConfigurationTests {
    static let shippedFile = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Config/tokenwatch.yaml")

    /// Reads `yaml` from a real file, over the registered receivers' defaults.
    static func load(_ yaml: String, in directory: URL) throws -> TokenWatchConfiguration {
        let file = directory.appendingPathComponent("tokenwatch.yaml")
        try yaml.write(to: file, atomically: true, encoding: .utf8)
        let text = try String(contentsOf: file, encoding: .utf8)
        return try ConfigurationLoader.load(yaml: text, file: file.path, defaults: .builtIn)
    }

    @Test func theShippedFileEqualsTheBuiltInDefaults() throws {
        let text = try String(contentsOf: Self.shippedFile, encoding: .utf8)
        let configuration = try ConfigurationLoader.load(
            yaml: text, file: "tokenwatch.yaml", defaults: .builtIn)
        #expect(configuration == .builtIn)
        #expect(configuration.forward.receivers[WebhookConfiguration.self] == WebhookConfiguration())
        #expect(configuration.forward.receivers[AlertmanagerConfiguration.self].resendInterval == .seconds(60))
    }

    @Test func aReceiversKeysAreReadAndPrintedAmongTheForwardKeys() throws {
        let directory = try scratchDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let configuration = try Self.load(
            """
            forward:
              max_queue: 7
              webhooks:
                - url: https://hooks.example.com/x
                  secret_file: hook.key
              resend_interval: 2m
              alertmanagers: [http://am:9093]
            """, in: directory)
        let webhooks = configuration.forward.receivers[WebhookConfiguration.self].webhooks
        #expect(webhooks == [.init(url: "https://hooks.example.com/x", secretFile: "hook.key")])
        let alertmanager = configuration.forward.receivers[AlertmanagerConfiguration.self]
        #expect(alertmanager.urls == ["http://am:9093"])
        #expect(alertmanager.resendInterval == .seconds(120))
        let printed = ConfigurationRenderer.yaml(configuration).split(separator: "\n").map(String.init)
        let start = try #require(printed.firstIndex(of: "forward:"))
        #expect(
            Array(printed[start..<(start + 20)]) == [
                "forward:",
                "  connect: \"tcp://127.0.0.1:7701\"",
                "  catchup: \"tcp://127.0.0.1:7702\"",
                "  topics: [\"alert.\"]",
                "  state_directory: \"\"",
                "  metrics: \"127.0.0.1:9702\"",
                "  alertmanagers: [\"http://am:9093\"]",
                "  resend_interval: 2m",
                "  webhooks:",
                "    - url: \"https://hooks.example.com/x\"",
                "      secret_file: \"hook.key\"",
                "  timeout: 10s",
                "  initial_backoff: 1s",
                "  max_backoff: 5m",
                "  max_retry_age: 1d",
                "  max_queue: 7",
                "  max_dead_letters: 1000",
                "  allow_link_local_targets: false",
                "  allow_url_credentials: false",
                "detectors:",
            ])
        let again = try Self.load(ConfigurationRenderer.yaml(configuration), in: directory)
        #expect(again == configuration)
    }

    @Test func aBadReceiverKeyNamesItsFileLineAndKey() throws {
        let directory = try scratchDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("tokenwatch.yaml").path
        var text = ""
        #expect {
            _ = try Self.load(
                """
                forward:
                  webhooks:
                    - url: http://hooks.example.com/x
                      secrt_file: k
                  resend_interval: soon
                  webhook: []
                """, in: directory)
        } throws: { error in
            text = "\(error)"
            return true
        }
        let expected = [
            "connect, catchup, topics, state_directory, metrics, alertmanagers, resend_interval, webhooks, timeout,",
            "initial_backoff, max_backoff, max_retry_age, max_queue, max_dead_letters, allow_link_local_targets,",
            "allow_url_credentials",
        ].joined(separator: " ")
        #expect(
            text.split(separator: "\n").map(String.init) == [
                "\(path):6:3: forward.webhook: unknown key (expected one of: \(expected))",
                "\(path):5:20: forward.resend_interval: must be a positive duration such as 90s, 15m or 1h, not 'soon'",
                "\(path):4:7: forward.webhooks[0].secrt_file: unknown key (expected one of: url, secret_file)",
            ])
    }

    /// Without the registry's sections (Core alone), a receiver's key is one Core does not know.
    @Test func aReceiversKeysAreUnknownUnlessItsKindIsRegistered() throws {
        #expect {
            _ = try ConfigurationLoader.load(yaml: "forward:\n  webhooks: []\n", file: "core.yaml")
        } throws: { error in
            "\(error)".hasPrefix("core.yaml:2:3: forward.webhooks: unknown key (expected one of: connect,")
        }
    }
}
