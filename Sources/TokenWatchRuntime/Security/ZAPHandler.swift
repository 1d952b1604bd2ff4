import Foundation
import ZeroMQ

/// Admits CURVE clients by public key: the ZeroMQ Authentication Protocol (ZAP, RFC 27) handler of the
/// pipeline's context. libzmq asks it about every connecting peer; only keys on the allow-list are admitted,
/// and every refusal is counted by reason. Lives on the pipeline thread, polled between batches.
final class ZAPHandler {
    private let socket: ZMQSocket
    private let allowed: Set<String>
    /// Refusals by reason: `unknown_key`, `wrong_mechanism`, `malformed_request`.
    private(set) var refusals: [String: UInt64] = [:]
    private(set) var admitted: UInt64 = 0

    init(context: ZMQContext, allowedKeys: Set<String>) throws {
        socket = try ZMQSocket(context: context, type: .rep)
        try socket.setLinger(milliseconds: 0)
        // The well-known address libzmq sends ZAP requests to; it must exist before the first connection.
        try socket.bind("inproc://zeromq.zap.01")
        allowed = allowedKeys
    }

    var pollable: ZMQSocket { socket }

    /// Answers every waiting request; returns the refusals made (reason, client key) for logging.
    func answerPending() throws -> [(reason: String, key: String)] {
        var refused: [(String, String)] = []
        while let frames = try socket.receiveMultipart(dontWait: true) {
            guard frames.count >= 6 else {
                refusals["malformed_request", default: 0] += 1
                try reply(
                    version: frames.first ?? Array("1.0".utf8), requestID: frames.count > 1 ? frames[1] : [],
                    status: "400", text: "malformed request")
                continue
            }
            let mechanism = String(decoding: frames[5], as: UTF8.self)
            let key = frames.count >= 7 ? ZMQCurve.z85(frames[6]) : nil
            if mechanism != "CURVE" {
                refusals["wrong_mechanism", default: 0] += 1
                refused.append(("wrong_mechanism", mechanism))
                try reply(version: frames[0], requestID: frames[1], status: "400", text: "CURVE required")
            } else if let key, allowed.contains(key) {
                admitted += 1
                try reply(version: frames[0], requestID: frames[1], status: "200", text: "OK", user: key)
            } else {
                refusals["unknown_key", default: 0] += 1
                refused.append(("unknown_key", key ?? "?"))
                try reply(version: frames[0], requestID: frames[1], status: "400", text: "key not allowed")
            }
        }
        return refused
    }

    private func reply(version: [UInt8], requestID: [UInt8], status: String, text: String, user: String = "") throws {
        _ = try socket.send(frames: [version, requestID, Array(status.utf8), Array(text.utf8), Array(user.utf8), []])
    }

    func close() { socket.close() }
}

@available(*, unavailable)
extension ZAPHandler: Sendable {}

/// Whether a ZeroMQ endpoint is reachable only from this machine (loopback, IPC or in-process).
public func isLocalEndpoint(_ endpoint: String) -> Bool {
    if endpoint.hasPrefix("ipc://") || endpoint.hasPrefix("inproc://") { return true }
    guard endpoint.hasPrefix("tcp://") else { return false }
    var host = String(endpoint.dropFirst("tcp://".count))
    if let colon = host.lastIndex(of: ":") { host = String(host[..<colon]) }
    host = host.trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
    return host == "localhost" || host == "::1" || host.hasPrefix("127.")
}
