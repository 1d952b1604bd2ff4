import Foundation
import Testing
import ZeroMQ

@Suite("CURVE, allow-lists and plaintext refusal, with the real daemon", .serialized)
struct SecurityEndToEndTests {
    struct Keys {
        let secret: String
        let publicKey: String
        let path: String
    }

    func keygen(_ path: String) throws -> Keys {
        let run = try TokenWatchProcess(["keygen", path])
        #expect(try run.waitForExit() == 0)
        let secret = try String(contentsOfFile: path, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        let publicKey = try String(contentsOfFile: path + ".pub", encoding: .utf8).trimmingCharacters(
            in: .whitespacesAndNewlines)
        return Keys(secret: secret, publicKey: publicKey, path: path)
    }

    @Test func onlyAllowedKeysReachTheDetectors() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let server = try keygen(directory.appendingPathComponent("server.key").path)
        let permissions = try FileManager.default.attributesOfItem(atPath: server.path)[.posixPermissions] as? Int
        #expect(permissions == 0o600)
        let allowedDirectory = directory.appendingPathComponent("clients")
        try FileManager.default.createDirectory(at: allowedDirectory, withIntermediateDirectories: true)
        let allowed = try keygen(allowedDirectory.appendingPathComponent("gateway.key").path)
        let stranger = try keygen(directory.appendingPathComponent("stranger.key").path)
        // The allowed client's secret must not sit in the allow-list directory: only its .pub does.
        try FileManager.default.removeItem(atPath: allowed.path)
        let config = try writeConfig(
            directory,
            replacing: [
                ("  curve: false", "  curve: true"),
                ("  server_secret_key_file: \"\"", "  server_secret_key_file: \(server.path)"),
                ("  allowed_client_keys_dir: \"\"", "  allowed_client_keys_dir: \(allowedDirectory.path)"),
            ])
        let daemon = try DaemonUnderTest.start(configPath: config)
        #expect(
            daemon.process.standardError.contains { $0.contains("CURVE on") && $0.contains("allowed_client_keys=1") })
        let context = try ZMQContext()
        func client(_ keys: Keys) -> (ZMQSocket) throws -> Void {
            { try $0.makeCurveClient(serverKey: server.publicKey, publicKey: keys.publicKey, secretKey: keys.secret) }
        }

        // A stranger's connection is refused by the ZAP handler; its events never arrive.
        let intruder = try ZMQSocket(context: context, type: .pub)
        try client(stranger)(intruder)
        try intruder.setLinger(milliseconds: 0)
        try intruder.connect(daemon.events)
        try daemon.process.waitForLog("reason=unknown_key")
        for n in 0..<8 {
            try intruder.send(frames: [
                Array("tokens".utf8),
                Array(tokenEvent("mallory", minute: n, id: "m\(n)", prompt: "fake usage padding request").utf8),
            ])
        }

        // So is a plaintext client: the handshake fails, nothing is delivered.
        let plain = try ZMQSocket(context: context, type: .pub)
        try plain.setLinger(milliseconds: 0)
        try plain.connect(daemon.events)
        for n in 0..<8 {
            try plain.send(frames: [
                Array("tokens".utf8),
                Array(tokenEvent("eve", minute: n, id: "p\(n)", prompt: "plain text padding request").utf8),
            ])
        }

        // The allowed gateway is served, and so is an allowed consumer.
        let subscriber = try TestSubscriber(context: context, connect: daemon.alerts, configure: client(allowed))
        try daemon.process.waitForLog("alert subscriber joined")
        let publisher = try TestPublisher(context: context, connect: daemon.events, configure: client(allowed))
        for n in 0..<8 {
            try publisher.publish(tokenEvent("gina", minute: n, id: "g\(n)", prompt: "the same long request again"))
        }
        let alert = try subscriber.next()
        #expect(alert.object["subject"] as? [String: String] == ["user": "gina"])

        let metrics = try parsePrometheus(httpGet(daemon.metrics, "/metrics").body)
        #expect(metrics["tokenwatch_events_received_total"] == 8)
        #expect(metrics["tokenwatch_auth_refusals_total{reason=\"unknown_key\"}"].map { $0 >= 1 } == true)
        #expect(!daemon.process.standardError.joined().contains("mallory"))
        daemon.process.signal(SIGTERM)
        #expect(try daemon.process.waitForExit() == 0)
    }

    @Test func plaintextOnANonLoopbackAddressIsRefusedUnlessAllowed() throws {
        let ports = try freeEndpoints(2).map { $0.split(separator: ":").last! }
        let exposed = "tcp://0.0.0.0:\(ports[0])"
        let refused = try TokenWatchProcess([
            "run", "--config", TokenWatchProcess.shippedConfig, "--events", exposed,
            "--alerts", "tcp://127.0.0.1:\(ports[1])", "--metrics", "", "--catchup", "",
        ])
        #expect(try refused.waitForExit() == 1)
        #expect(refused.standardError.contains { $0.contains("refusing to bind \(exposed) without CURVE") })

        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let config = try writeConfig(directory, replacing: [("  allow_plaintext: false", "  allow_plaintext: true")])
        let allowed = try TokenWatchProcess([
            "run", "--config", config, "--events", exposed,
            "--alerts", "tcp://127.0.0.1:\(ports[1])", "--metrics", "", "--catchup", "",
        ])
        try allowed.waitForLog("] ready")
        #expect(allowed.standardError.contains { $0.contains("critical") && $0.contains("PLAINTEXT") })
        allowed.signal(SIGTERM)
        #expect(try allowed.waitForExit() == 0)
    }
}

extension SecurityEndToEndTests {
    /// Setting CURVE up must not cost a new user their afternoon: keygen prints the configuration lines
    /// quoted (Z85 holds characters YAML reads as syntax), a public key named as the server's secret is
    /// refused by check-config, and a daemon with CURVE but no allowed client says so and shows its key.
    @Test func curveSetupMistakesAreCaughtWithAClearMessage() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("server.key").path
        let printing = try TokenWatchProcess(["keygen", path])
        #expect(try printing.waitForExit() == 0)
        let publicKey = try String(contentsOfFile: path + ".pub", encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(printing.standardOutput.contains("server_secret_key_file: \"\(path)\""))
        #expect(printing.standardOutput.contains("allowed_client_keys: [\"\(publicKey)\"]"))

        let wrong = try writeConfig(
            directory,
            replacing: [
                ("  curve: false", "  curve: true"),
                ("  server_secret_key_file: \"\"", "  server_secret_key_file: \"\(path).pub\""),
            ])
        let check = try TokenWatchProcess(["check-config", wrong])
        #expect(try check.waitForExit() == 1)
        #expect(check.standardError.contains { $0.contains("\(path).pub is a public key file") })

        let right = try writeConfig(
            directory,
            replacing: [
                ("  curve: false", "  curve: true"),
                ("  server_secret_key_file: \"\"", "  server_secret_key_file: \"\(path)\""),
            ])
        let daemon = try DaemonUnderTest.start(configPath: right)
        #expect(daemon.process.standardError.contains { $0.contains("server_public_key=\(publicKey)") })
        #expect(daemon.process.standardError.contains { $0.contains("no client key is allowed") })
        daemon.process.signal(SIGTERM)
        #expect(try daemon.process.waitForExit() == 0)
    }
}

extension SecurityEndToEndTests {
    /// A plaintext client on a CURVE socket, and a client holding a wrong server key, fail before ZAP hears
    /// of them: the daemon logs and counts them, and `tail` with the wrong key says so and exits 1.
    @Test func failedHandshakesAreCountedAndTailSaysSo() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let server = try keygen(directory.appendingPathComponent("server.key").path)
        let other = try keygen(directory.appendingPathComponent("other.key").path)
        let client = try keygen(directory.appendingPathComponent("client.key").path)
        let config = try writeConfig(
            directory,
            replacing: [
                ("  curve: false", "  curve: true"),
                ("  server_secret_key_file: \"\"", "  server_secret_key_file: \(server.path)"),
                ("  allowed_client_keys: []", "  allowed_client_keys: [\"\(client.publicKey)\"]"),
            ])
        let daemon = try DaemonUnderTest.start(configPath: config)
        let context = try ZMQContext()
        let plaintext = try ZMQSocket(context: context, type: .pub)
        defer { plaintext.close() }
        try plaintext.setLinger(milliseconds: 0)
        try plaintext.connect(daemon.events)
        let tail = try TokenWatchProcess([
            "tail", "--connect", daemon.alerts, "--curve-server-key", other.path + ".pub", "--curve-key", client.path,
        ])
        #expect(try tail.waitForExit() == 1)
        #expect(tail.standardError.contains { $0.contains("refused the connection's security handshake") })
        try waitUntil("the failed handshakes counted", timeout: .seconds(20)) {
            let samples = try parsePrometheus(httpGet(daemon.metrics, "/metrics").body)
            return (samples["tokenwatch_auth_refusals_total{reason=\"handshake_failed\"}"] ?? 0) >= 2
        }
        try daemon.process.waitForLog("security handshake failed")
        daemon.process.signal(SIGTERM)
        #expect(try daemon.process.waitForExit() == 0)
    }
}
