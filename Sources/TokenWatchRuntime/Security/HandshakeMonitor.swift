import Foundation
import Logging
import ZeroMQ

/// Counts and logs failed security handshakes on the daemon's CURVE sockets: a plaintext client, or one that
/// holds a wrong server key. The ZAP handler never hears of these (they fail before a key is presented), so
/// without this they would be refused in silence.
///
/// Each server socket reports its handshake failures on an inproc monitor endpoint; this reads them all on
/// the detection thread, between batches. Logs at most once per ten seconds, with the count in between: a
/// misconfigured client retries several times a second.
final class HandshakeMonitor {
    private var readers: [(socket: String, pair: ZMQSocket)] = []
    /// Failures seen so far.
    private(set) var failures: UInt64 = 0
    private var lastLogged: ContinuousClock.Instant?
    private var unlogged: [String: Int] = [:]
    static let logInterval: Duration = .seconds(10)

    /// A fresh monitor endpoint for the named socket.
    static func endpoint(for socket: String) -> String {
        "inproc://tokenwatch-handshakes-\(socket)-\(UUID().uuidString)"
    }

    /// Reads the monitor endpoints (socket name, endpoint) whose sockets started monitoring.
    init(context: ZMQContext, endpoints: [(socket: String, endpoint: String)]) throws {
        for (socket, endpoint) in endpoints {
            readers.append((socket, try ZMQSocket.monitorReader(context: context, endpoint: endpoint)))
        }
    }

    /// Counts the failures reported since the last call, and logs them if the last log is old enough.
    func drain(logger: Logger) throws {
        for (socket, pair) in readers {
            while let event = try ZMQSocket.nextMonitorEvent(from: pair) {
                guard event.isHandshakeFailure else { continue }
                failures += 1
                unlogged[socket, default: 0] += 1
            }
        }
        guard !unlogged.isEmpty else { return }
        let now = ContinuousClock.now
        if let lastLogged, now - lastLogged < Self.logInterval { return }
        lastLogged = now
        logger.warning(
            "connection refused: security handshake failed (a plaintext client, or a wrong server key)",
            metadata: [
                "by_socket":
                    "\(unlogged.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " "))"
            ])
        unlogged = [:]
    }

    func close() {
        for (_, pair) in readers { pair.close() }
        readers = []
    }
}

@available(*, unavailable)
extension HandshakeMonitor: Sendable {}
