import Synchronization
import ZeroMQ

/// Publishes the bridge's events to the daemon's event socket, and knows whether anyone receives them.
///
/// An XPUB socket (as `EventSender`): it sees the daemon's subscription arrive and, when the daemon goes
/// away, its unsubscription, so the bridge can answer a sender "try again later" (503) instead of taking
/// events that a PUB socket without subscribers would silently drop. With `ZMQ_XPUB_NODROP` a full queue
/// refuses a send rather than losing it; the request is then answered 503 too, and the SDK retries it (the
/// events it did send are refused by the daemon as `duplicate_id`, because their ids are stable).
package final class EventPublisher: Sendable {
    package enum Outcome: Sendable, Equatable {
        case published
        /// No daemon has subscribed to the topic (not started, or gone).
        case noSubscriber
        /// The daemon is connected but its queue stayed full for ``EventPublisher/backpressureWait``.
        case backpressure(sent: Int)
    }

    private struct State: ~Copyable {
        let socket: ZMQSocket
        let topic: [UInt8]
        /// Subscriptions on the socket that cover the topic; libzmq reports one per connected daemon.
        var subscribers = 0
    }

    private let state: Mutex<State>
    /// How long one request may wait for room in a full queue before it is answered 503.
    package static let backpressureWait = 250

    package init(
        context: ZMQContext, connect endpoint: String, topic: String, configure: (ZMQSocket) throws -> Void
    ) throws {
        let socket = try ZMQSocket(context: context, type: .xpub)
        try configure(socket)
        try socket.setSendHighWaterMark(100_000)
        try socket.setXPubNoDrop(true)
        try socket.setLinger(milliseconds: 2000)
        try socket.connect(endpoint)
        state = Mutex(State(socket: socket, topic: Array(topic.utf8)))
    }

    /// Whether a daemon is subscribed, after reading any (un)subscription that arrived.
    package var isConnected: Bool {
        state.withLock { state in
            Self.readSubscriptions(&state)
            return state.subscribers > 0
        }
    }

    /// Sends the payloads in order under the topic.
    package func publish(_ payloads: [[UInt8]]) -> Outcome {
        state.withLock { state in
            Self.readSubscriptions(&state)
            guard state.subscribers > 0 else { return .noSubscriber }
            let deadline = ContinuousClock.now + .milliseconds(Self.backpressureWait)
            for (index, payload) in payloads.enumerated() {
                let frames = [state.topic, payload]
                while (try? state.socket.send(frames: frames, dontWait: true)) != true {
                    let left = deadline - ContinuousClock.now
                    guard left > .zero else { return .backpressure(sent: index) }
                    let milliseconds =
                        left.components.seconds * 1000 + left.components.attoseconds / 1_000_000_000_000_000
                    _ = try? state.socket.waitWritable(timeoutMilliseconds: max(1, Int(milliseconds)))
                }
            }
            return .published
        }
    }

    /// XPUB delivers each subscription as `0x01 + prefix` and each unsubscription (a daemon that
    /// disconnected) as `0x00 + prefix`.
    private static func readSubscriptions(_ state: inout State) {
        while let frames = try? state.socket.receiveMultipart(dontWait: true), let frame = frames.first,
            let kind = frame.first
        {
            let prefix = frame.dropFirst()
            guard state.topic.starts(with: prefix) else { continue }
            if kind == 1 {
                state.subscribers += 1
            } else if kind == 0 {
                state.subscribers = max(0, state.subscribers - 1)
            }
        }
    }

    package func close() {
        state.withLock { $0.socket.close() }
    }
}
