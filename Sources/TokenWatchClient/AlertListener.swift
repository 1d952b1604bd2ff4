import Foundation
import TokenWatchCore
import ZeroMQ

/// One alert as received by a subscriber: its three frames, checked, and the fields a consumer reads.
public struct ReceivedAlert: Sendable {
    public var topic: String
    /// The payload exactly as received.
    public var payload: String
    /// The per-topic sequence from the third frame.
    public var topicSequence: UInt32
    public var digest: AlertDigest
    public var severity: String
    public var summary: String
    public var seq: UInt64
    public var id: String
}

/// What a subscriber learns from one message on the alert socket.
public enum AlertMessage: Sendable {
    case alert(ReceivedAlert, lostBefore: UInt32)
    /// The connection to the daemon was re-established (after a restart or a network break): alerts may
    /// have been published meanwhile.
    case reconnected
    /// A message that does not follow the alert contract (never expected from TokenWatch).
    case malformed(String)
    /// The daemon refused the connection's security handshake: wrong keys, a key it does not allow, or
    /// CURVE on one side only. Nothing will arrive until that is fixed.
    case handshakeFailed
}

/// Subscribes to a daemon's alerts and checks the contract: three frames, a JSON payload, a per-topic
/// sequence without gaps (a gap means lost alerts). Used by `tail`, `demo` and the tests.
public final class AlertListener {
    private let socket: ZMQSocket
    private let monitor: ZMQSocket
    private var expectedSequence: [String: UInt32] = [:]
    private var connections = 0

    public init(
        context: ZMQContext, connect endpoint: String, topics: [String] = ["alert"],
        configure: (ZMQSocket) throws -> Void = { _ in }
    ) throws {
        socket = try ZMQSocket(context: context, type: .sub)
        try configure(socket)
        try socket.setLinger(milliseconds: 0)
        try socket.setReceiveHighWaterMark(0)
        for topic in topics { try socket.subscribe(topic) }
        monitor = try socket.monitor(
            events: Int32(ZMQMonitorEvent.handshakeSucceeded) | ZMQMonitorEvent.handshakeFailures)
        try socket.connect(endpoint)
    }

    /// The topic prefixes subscribed to.
    public static func matches(_ topic: String, _ prefixes: [String]) -> Bool {
        prefixes.contains { topic.hasPrefix($0) }
    }

    /// The next message, or `nil` if none arrived within `timeoutMilliseconds`.
    public func next(timeoutMilliseconds: Int) throws -> AlertMessage? {
        let readable = try ZMQPoller.readable([socket, monitor], timeoutMilliseconds: timeoutMilliseconds)
        if readable[1], let event = try ZMQSocket.nextMonitorEvent(from: monitor) {
            if event.isHandshakeFailure { return .handshakeFailed }
            if event.event == ZMQMonitorEvent.handshakeSucceeded {
                connections += 1
                if connections > 1 { return .reconnected }
            }
        }
        guard readable[0], let frames = try socket.receiveMultipart(dontWait: true) else { return nil }
        guard frames.count == 3, frames[2].count == 4 else {
            return .malformed("expected 3 frames [topic, payload, sequence], got \(frames.count)")
        }
        let topic = String(decoding: frames[0], as: UTF8.self)
        let payload = String(decoding: frames[1], as: UTF8.self)
        let sequence = frames[2].withUnsafeBytes { UInt32(littleEndian: $0.loadUnaligned(as: UInt32.self)) }
        guard let alert = Self.parse(topic: topic, payload: payload, sequence: sequence) else {
            return .malformed("payload on \(topic) is not an alert object")
        }
        let expected = expectedSequence[topic] ?? sequence
        expectedSequence[topic] = sequence &+ 1
        return .alert(alert, lostBefore: sequence > expected ? sequence - expected : 0)
    }

    public func close() {
        monitor.close()
        socket.close()
    }

    /// Reads the fields of an alert payload; `nil` if it is not one.
    public static func parse(topic: String, payload: String, sequence: UInt32) -> ReceivedAlert? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(payload.utf8)) as? [String: Any],
            let detectorName = object["detector"] as? String, let detector = DetectorName(rawValue: detectorName),
            let stateName = object["state"] as? String, let state = AlertState(rawValue: stateName),
            let incident = object["incident"] as? String, let id = object["id"] as? String,
            let ts = object["ts"] as? String, let time = EventTime(rfc3339: ts),
            let subject = object["subject"] as? [String: Any], let seq = object["seq"] as? NSNumber
        else { return nil }
        return ReceivedAlert(
            topic: topic, payload: payload, topicSequence: sequence,
            digest: AlertDigest(
                detector: detector, state: state, incident: incident, user: subject["user"] as? String,
                agent: subject["agent"] as? String, time: time),
            severity: object["severity"] as? String ?? "", summary: object["summary"] as? String ?? "",
            seq: seq.uint64Value, id: id)
    }
}

@available(*, unavailable)
extension AlertListener: Sendable {}
