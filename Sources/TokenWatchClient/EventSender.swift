import TokenWatchCore
import ZeroMQ

/// Publishes token events to a daemon, losing none: the client side used by `generate --connect` and `demo`.
///
/// A plain PUB socket drops everything sent before the daemon's subscription arrives and everything past
/// its high-water mark. This uses XPUB instead: it waits until the subscription is seen, and with
/// `ZMQ_XPUB_NODROP` a full queue makes it wait rather than drop.
public final class EventSender {
    private let socket: ZMQSocket
    public let topic: [UInt8]

    public init(
        context: ZMQContext, connect endpoint: String, topic: String = "tokens",
        configure: (ZMQSocket) throws -> Void = { _ in }
    ) throws {
        socket = try ZMQSocket(context: context, type: .xpub)
        try configure(socket)
        try socket.setSendHighWaterMark(100_000)
        try socket.setXPubNoDrop(true)
        try socket.setLinger(milliseconds: 5000)
        try socket.connect(endpoint)
        self.topic = Array(topic.utf8)
    }

    /// Waits until a subscriber's subscription arrives; returns `false` if none came within the timeout.
    public func waitForSubscriber(timeout: Duration) throws -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let remaining = Int((deadline - ContinuousClock.now).milliseconds)
            if try socket.waitReadable(timeoutMilliseconds: max(remaining, 1)),
                let frames = try socket.receiveMultipart(dontWait: true), frames.first?.first == 1
            {
                return true
            }
        }
        return false
    }

    /// Sends one event payload under the topic, waiting while the queue is full.
    public func send(_ payload: String) throws {
        let frames = [topic, Array(payload.utf8)]
        while try !socket.send(frames: frames, dontWait: true) {
            _ = try socket.waitWritable(timeoutMilliseconds: 100)
        }
    }

    public func close() { socket.close() }
}

@available(*, unavailable)
extension EventSender: Sendable {}
