import Synchronization
import TokenWatchCore
import ZeroMQ

/// Publishes the bridge's events to the daemon's event socket, and knows whether anyone receives them.
///
/// An XPUB socket (as `EventSender`): it sees the daemon's subscription arrive and, when the daemon goes
/// away, its unsubscription, so the bridge can answer a sender "try again later" (503) instead of taking
/// events that a PUB socket without subscribers would silently drop. The unsubscription comes only when the
/// connection's pipe ends: `ZMQ_IMMEDIATE` ends it when the connection drops (by default a connecting socket
/// keeps it for the reconnection, and the daemon would look subscribed forever), and heartbeats drop a
/// connection whose daemon vanished without closing it. With `ZMQ_XPUB_NODROP` a full queue
/// refuses a send rather than losing it; the request is then answered 503 too, and the SDK retries it (the
/// events it did send are refused by the daemon as `duplicate_id`, because their ids are stable).
package final class EventPublisher: Sendable {
    package enum Outcome: Sendable, Equatable {
        case published
        /// No daemon has subscribed to some event's shard (not started, gone, or no daemon owns the shard).
        case noSubscriber
        /// The daemon is connected but its queue stayed full for ``EventPublisher/backpressureWait``.
        case backpressure(sent: Int)
    }

    private struct State: ~Copyable {
        let socket: ZMQSocket
        /// The shards' topics, by shard.
        let topics: [[UInt8]]
        /// The prefixes daemons subscribed to (XPUB passes each prefix's first subscription and its last
        /// unsubscription, so a set is exact).
        var subscriptions: Set<[UInt8]> = []

        /// Whether some daemon takes this topic.
        func isTaken(_ topic: [UInt8]) -> Bool { subscriptions.contains { topic.starts(with: $0) } }
    }

    private let state: Mutex<State>
    /// How long one request may wait for room in a full queue before it is answered 503.
    package static let backpressureWait = 250

    /// `endpoints`: one daemon, several that share the stream by shard, or replicas; each gets only the
    /// shards it subscribed to.
    package init(
        context: ZMQContext, connect endpoints: [String], topic: String, configure: (ZMQSocket) throws -> Void
    ) throws {
        let socket = try ZMQSocket(context: context, type: .xpub)
        try configure(socket)
        try socket.setSendHighWaterMark(100_000)
        try socket.setXPubNoDrop(true)
        try socket.setImmediate(true)
        try socket.setHeartbeat(intervalMilliseconds: 1000, timeoutMilliseconds: 3000)
        try socket.setLinger(milliseconds: 2000)
        for endpoint in endpoints { try socket.connect(endpoint) }
        let topics = (0..<VirtualShard.count).map { Array(VirtualShard.topic($0, base: topic).utf8) }
        state = Mutex(State(socket: socket, topics: topics))
    }

    /// Whether some daemon is subscribed, after reading any (un)subscription that arrived.
    package var isConnected: Bool {
        state.withLock { state in
            Self.readSubscriptions(&state)
            return !state.subscriptions.isEmpty
        }
    }

    /// Sends the payloads in order, each under its shard's topic; nothing when some shard has no daemon.
    package func publish(_ payloads: [[UInt8]], shards: [Int]) -> Outcome {
        state.withLock { state in
            Self.readSubscriptions(&state)
            for shard in Set(shards) where !state.isTaken(state.topics[shard]) { return .noSubscriber }
            let deadline = ContinuousClock.now + .milliseconds(Self.backpressureWait)
            for (index, payload) in payloads.enumerated() {
                let frames = [state.topics[shards[index]], payload]
                while (try? state.socket.send(frames: frames, dontWait: true)) != true {
                    let left = deadline - ContinuousClock.now
                    guard left > .zero else { return .backpressure(sent: index) }
                    _ = try? state.socket.waitWritable(timeoutMilliseconds: max(1, Int(left.milliseconds)))
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
            let prefix = Array(frame.dropFirst())
            if kind == 1 {
                state.subscriptions.insert(prefix)
            } else if kind == 0 {
                state.subscriptions.remove(prefix)
            }
        }
    }

    package func close() {
        state.withLock { $0.socket.close() }
    }
}
