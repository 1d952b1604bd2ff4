import ArgumentParser
import Foundation
import ZeroMQ

struct KeygenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keygen",
        abstract: "Write a CURVE key pair: PATH (the Z85 secret key, mode 0600) and PATH.pub (the public key).")

    @Argument(help: "Where to write the secret key; the public key goes to PATH.pub.")
    var path: String

    func run() throws {
        guard ZMQCurve.isAvailable else {
            printError("tokenwatch keygen: this libzmq was built without CURVE")
            throw ExitCode(1)
        }
        guard !FileManager.default.fileExists(atPath: path) else {
            printError("tokenwatch keygen: \(path) exists; not overwriting a key")
            throw ExitCode(1)
        }
        let pair = try ZMQCurve.keyPair()
        // Created 0600 from the start: the secret is never readable by others, not even briefly.
        guard
            FileManager.default.createFile(
                atPath: path, contents: Data((pair.secretKey + "\n").utf8), attributes: [.posixPermissions: 0o600]),
            FileManager.default.createFile(
                atPath: path + ".pub", contents: Data((pair.publicKey + "\n").utf8),
                attributes: [.posixPermissions: 0o644])
        else {
            printError("tokenwatch keygen: cannot write \(path)")
            throw ExitCode(1)
        }
        // Z85 keys may hold characters YAML reads as syntax ('%', '#', ':'...): the lines to paste are quoted.
        print(
            """
            secret key: \(path) (mode 0600)
            public key: \(path).pub
            \(pair.publicKey)

            For the daemon's configuration (security:), if this is its key:
              server_secret_key_file: "\(path)"
            For the daemon's allowed clients, if this is a client's key:
              allowed_client_keys: ["\(pair.publicKey)"]
            """)
    }
}

/// CURVE client keys for the commands that connect to a daemon with `security.curve` on.
struct CurveClientOptions: ParsableArguments {
    @Option(help: "The daemon's public key file (its PATH.pub from keygen): connect with CURVE.")
    var curveServerKey: String?

    @Option(help: "This client's secret key file (from keygen; its public key must be allowed by the daemon).")
    var curveKey: String?

    func validate() throws {
        if (curveServerKey == nil) != (curveKey == nil) {
            throw ValidationError("--curve-server-key and --curve-key go together")
        }
    }

    /// Applies the keys to a socket, or nothing without them.
    func configure() throws -> @Sendable (ZMQSocket) throws -> Void {
        guard let curveServerKey, let curveKey else { return { _ in } }
        func read(_ path: String) throws -> String {
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
                throw ValidationError("cannot read \(path)")
            }
            return text.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        let server = try read(curveServerKey)
        let secret = try read(curveKey)
        let publicKey = try ZMQCurve.publicKey(forSecret: secret)
        return { socket in try socket.makeCurveClient(serverKey: server, publicKey: publicKey, secretKey: secret) }
    }
}
