import Foundation
import TokenWatchCore

/// Finds and reads the configuration file: an explicit path, else the system file if it exists, else the
/// built-in defaults.
public enum ConfigurationFile {
    /// Read by `run` and `replay` when no `--config` is given, if it exists.
    public static let systemPath = "/etc/tokenwatch/tokenwatch.yaml"

    /// The configuration and where it came from (`nil` for the built-in defaults).
    public static func load(explicitPath: String?) throws -> (TokenWatchConfiguration, source: String?) {
        if let explicitPath { return (try read(explicitPath), explicitPath) }
        if FileManager.default.fileExists(atPath: systemPath) { return (try read(systemPath), systemPath) }
        return (TokenWatchConfiguration(), nil)
    }

    /// Reads and validates one file. Throws ``ConfigurationError`` naming the file, line and key.
    public static func read(_ path: String) throws -> TokenWatchConfiguration {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ConfigurationError(issues: [
                .init(file: path, line: 0, column: 0, keyPath: "", message: "cannot read: \(Self.reason(error))")
            ])
        }
        var configuration = try ConfigurationLoader.load(yaml: text, file: path)
        if configuration.privacy.pseudonymizeUsers {
            let keyPath = configuration.privacy.keyFile.hasPrefix("/") ? configuration.privacy.keyFile
                : ((path as NSString).deletingLastPathComponent as NSString).appendingPathComponent(configuration.privacy.keyFile)
            guard let key = FileManager.default.contents(atPath: keyPath), key.count >= 32 else {
                throw ConfigurationError(issues: [.init(file: path, line: 0, column: 0, keyPath: "privacy.key_file",
                                                        message: "cannot read at least 32 bytes of key from \(keyPath)")])
            }
            configuration.privacy.key = Array(key)
        }
        return configuration
    }

    private static func reason(_ error: any Error) -> String {
        let error = error as NSError
        if let underlying = error.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
            return String(cString: strerror(Int32(underlying.code)))
        }
        return error.localizedDescription
    }
}
