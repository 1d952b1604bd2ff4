import TokenWatchCore
import ZeroMQ

/// Publishes alerts on an XPUB socket as `[topic, payload, sequence]`, where the sequence is a 4-byte
/// little-endian count per topic from 0 (kept by the ``AlertJournal``, so it continues across restarts).
///
/// XPUB, so that subscription messages tell who listens; without `ZMQ_XPUB_NODROP`, so that a subscriber
/// that stops reading loses only its own alerts once its queue (`alerts.send_high_water_mark`) is full:
/// with NODROP one stalled subscriber made every send fail, for everyone. The one who lost alerts sees the
/// gap in the per-topic sequence and fetches them from the catch-up socket, which reads the journal.
/// Lives on the pipeline's thread, like its socket.
final class AlertPublisher {
    private let socket: ZMQSocket
    private let subscriptionFrame = ZMQMessage()
    /// Open subscriptions by topic prefix.
    private(set) var subscriptions: [String: Int] = [:]

    init(
        context: ZMQContext, endpoint: String, sendHighWaterMark: Int32,
        configure: (ZMQSocket) throws -> Void = { _ in }
    ) throws {
        socket = try ZMQSocket(context: context, type: .xpub)
        try configure(socket)
        try socket.setSendHighWaterMark(sendHighWaterMark)
        try socket.setXPubVerbose(true)
        try socket.setLinger(milliseconds: 1000)
        try socket.bind(endpoint)
    }

    var boundEndpoint: String { (try? socket.lastEndpoint) ?? "?" }

    /// Sends one alert with its per-topic sequence number; returns `false` when the socket refused it (no
    /// subscriber's queue being full makes it refuse). The number is used up either way, so subscribers see
    /// a gap for a refused alert.
    func publish(topic: String, payload: String, topicSequence sequence: UInt32) throws -> Bool {
        let sequenceFrame: [UInt8] = [
            UInt8(truncatingIfNeeded: sequence), UInt8(truncatingIfNeeded: sequence >> 8),
            UInt8(truncatingIfNeeded: sequence >> 16), UInt8(truncatingIfNeeded: sequence >> 24),
        ]
        return try socket.send(frames: [Array(topic.utf8), Array(payload.utf8), sequenceFrame], dontWait: true)
    }

    /// Reads pending (un)subscription messages; returns the prefixes newly subscribed, for logging.
    func drainSubscriptions() throws -> [(subscribed: Bool, prefix: String)] {
        var changes: [(Bool, String)] = []
        while try socket.receive(into: subscriptionFrame, dontWait: true) {
            let bytes = subscriptionFrame.bytes
            guard let kind = bytes.first, kind <= 1 else { continue }
            let prefix = String(decoding: bytes.dropFirst(), as: UTF8.self)
            if kind == 1 {
                subscriptions[prefix, default: 0] += 1
            } else {
                subscriptions[prefix, default: 1] -= 1
                if subscriptions[prefix] == 0 { subscriptions[prefix] = nil }
            }
            changes.append((kind == 1, prefix))
        }
        return changes
    }

    /// Reports the socket's failed security handshakes on `endpoint` (see ``HandshakeMonitor``).
    func startHandshakeMonitor(on endpoint: String) throws {
        try socket.startMonitor(on: endpoint, events: ZMQMonitorEvent.handshakeFailures)
    }

    func close() { socket.close() }
}

@available(*, unavailable)
extension AlertPublisher: Sendable {}
