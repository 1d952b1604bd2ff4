import TokenWatchCore
import ZeroMQ

/// One alert as received by a subscriber: its three frames, checked, and the payload read once.
public struct ReceivedAlert: Sendable {
    public var topic: String
    /// The payload exactly as received.
    public var payload: String
    /// The per-topic sequence from the third frame.
    public var topicSequence: UInt32
    /// The payload, read.
    public var alert: AlertPayload
    public var digest: AlertDigest
    public var seq: UInt64

    public var severity: String { alert.severity }
    public var summary: String { alert.summary }
    public var id: String { alert.id }

    /// A detector's alert: its detector and state among those TokenWatch knows, with an incident, a seq and a
    /// subject, and a time that reads as RFC 3339; `nil` otherwise (an operational alert is not one).
    public init?(topic: String, payload: String, topicSequence: UInt32, alert: AlertPayload) {
        guard let detector = DetectorName(rawValue: alert.detector), let state = AlertState(rawValue: alert.state),
            let incident = alert.incident, let seq = alert.seq, let subject = alert.subject,
            let time = EventTime(rfc3339: alert.time)
        else { return nil }
        self.topic = topic
        self.payload = payload
        self.topicSequence = topicSequence
        self.alert = alert
        self.digest = AlertDigest(
            detector: detector, state: state, incident: incident, user: subject.user, agent: subject.agent, time: time)
        self.seq = seq
    }

    /// A caught-up journal line; `nil` if its payload is not a detector's alert.
    public init?(_ journaled: JournaledAlert) {
        guard case .success(let alert) = journaled.alert else { return nil }
        let entry = journaled.entry
        self.init(topic: entry.topic, payload: entry.payload, topicSequence: entry.topicSequence, alert: alert)
    }
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
        let payloadRead: AlertPayload
        do {
            payloadRead = try AlertPayload(parsing: payload)
        } catch {
            return .malformed("payload on \(topic): \(error)")
        }
        guard let alert = ReceivedAlert(topic: topic, payload: payload, topicSequence: sequence, alert: payloadRead)
        else { return .malformed("payload on \(topic) is not a detector's alert") }
        let expected = expectedSequence[topic] ?? sequence
        expectedSequence[topic] = sequence &+ 1
        return .alert(alert, lostBefore: sequence > expected ? sequence - expected : 0)
    }

    public func close() {
        monitor.close()
        socket.close()
    }

    /// Reads an alert payload; `nil` if it is not a detector's alert (``ReceivedAlert``).
    public static func parse(topic: String, payload: String, sequence: UInt32) -> ReceivedAlert? {
        guard let alert = try? AlertPayload(parsing: payload) else { return nil }
        return ReceivedAlert(topic: topic, payload: payload, topicSequence: sequence, alert: alert)
    }
}

@available(*, unavailable)
extension AlertListener: Sendable {}
