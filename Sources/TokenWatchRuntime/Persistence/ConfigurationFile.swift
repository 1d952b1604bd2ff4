import Foundation
import TokenWatchCore
import ZeroMQ

/// Finds and reads the configuration file: an explicit path, else the system file if it exists, else the
/// built-in defaults.
public enum ConfigurationFile {
    /// Read by `run` and `replay` when no `--config` is given, if it exists.
    public static let systemPath = "/etc/tokenwatch/tokenwatch.yaml"

    /// The configuration and where it came from (`nil` for the built-in `defaults`).
    public static func load(
        explicitPath: String?, defaults: TokenWatchConfiguration
    ) throws -> (TokenWatchConfiguration, source: String?) {
        if let explicitPath { return (try read(explicitPath, defaults: defaults), explicitPath) }
        if FileManager.default.fileExists(atPath: systemPath) {
            return (try read(systemPath, defaults: defaults), systemPath)
        }
        return (defaults, nil)
    }

    /// Reads and validates one file over `defaults` (``ConfigurationLoader/load(yaml:file:defaults:)``). Throws
    /// ``ConfigurationError`` naming the file, line and key.
    public static func read(_ path: String, defaults: TokenWatchConfiguration) throws -> TokenWatchConfiguration {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ConfigurationError(issues: [
                .init(file: path, line: 0, column: 0, keyPath: "", message: "cannot read: \(Self.reason(error))")
            ])
        }
        var configuration = try ConfigurationLoader.load(yaml: text, file: path, defaults: defaults)
        if configuration.privacy.pseudonymizeUsers {
            let keyPath =
                configuration.privacy.keyFile.hasPrefix("/")
                ? configuration.privacy.keyFile
                : ((path as NSString).deletingLastPathComponent as NSString).appendingPathComponent(
                    configuration.privacy.keyFile)
            guard let key = FileManager.default.contents(atPath: keyPath), key.count >= 32 else {
                throw ConfigurationError(issues: [
                    .init(
                        file: path, line: 0, column: 0, keyPath: "privacy.key_file",
                        message: "cannot read at least 32 bytes of key from \(keyPath)")
                ])
            }
            configuration.privacy.key = Array(key)
        }
        if configuration.security.curve { try loadKeys(&configuration, configPath: path) }
        return configuration
    }

    /// Reads the server's secret key and the allowed client keys named by `security`.
    private static func loadKeys(_ configuration: inout TokenWatchConfiguration, configPath: String) throws {
        func fail(_ key: String, _ message: String) -> ConfigurationError {
            ConfigurationError(issues: [.init(file: configPath, line: 0, column: 0, keyPath: key, message: message)])
        }
        guard ZMQCurve.isAvailable else { throw fail("security.curve", "this libzmq was built without CURVE") }
        let secretPath = configuration.security.serverSecretKeyFile
        guard let text = try? String(contentsOfFile: secretPath, encoding: .utf8) else {
            throw fail("security.server_secret_key_file", "cannot read \(secretPath)")
        }
        let secret = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard ZMQCurve.isKey(secret) else {
            throw fail("security.server_secret_key_file", "\(secretPath) does not hold a Z85 key")
        }
        try checkIsSecretKey(secret, at: secretPath, fail: fail)
        configuration.security.serverSecretKey = secret
        var keys = Set(configuration.security.allowedClientKeys)
        let directory = configuration.security.allowedClientKeysDirectory
        if !directory.isEmpty {
            guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else {
                throw fail("security.allowed_client_keys_dir", "cannot list \(directory)")
            }
            for name in names.sorted() where name.hasSuffix(".pub") {
                let file = (directory as NSString).appendingPathComponent(name)
                let key = ((try? String(contentsOfFile: file, encoding: .utf8)) ?? "").trimmingCharacters(
                    in: .whitespacesAndNewlines)
                guard ZMQCurve.isKey(key) else {
                    throw fail("security.allowed_client_keys_dir", "\(file) does not hold a Z85 key")
                }
                keys.insert(key)
            }
        }
        for key in keys where !ZMQCurve.isKey(key) {
            throw fail("security.allowed_client_keys", "'\(key)' is not a Z85 key")
        }
        configuration.security.resolvedClientKeys = keys
    }

    /// A public key passed as the secret would be accepted by libzmq and then fail every client in silence:
    /// a `.pub` file is refused, and a secret whose `PATH.pub` (as `tokenwatch keygen` writes) holds another
    /// key's public half is refused too.
    private static func checkIsSecretKey(
        _ secret: String, at path: String, fail: (String, String) -> ConfigurationError
    ) throws(ConfigurationError) {
        let key = "security.server_secret_key_file"
        if path.hasSuffix(".pub") {
            throw fail(key, "\(path) is a public key file; name the secret key (the file without .pub)")
        }
        guard let published = try? String(contentsOfFile: path + ".pub", encoding: .utf8) else { return }
        let expected = published.trimmingCharacters(in: .whitespacesAndNewlines)
        if let derived = try? ZMQCurve.publicKey(forSecret: secret), derived != expected {
            throw fail(
                key, "\(path) is not the secret key of \(path).pub (is it a public key? keygen writes the pair)")
        }
    }

    private static func reason(_ error: any Error) -> String {
        let error = error as NSError
        if let underlying = error.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
            return String(cString: strerror(Int32(underlying.code)))
        }
        return error.localizedDescription
    }
}
