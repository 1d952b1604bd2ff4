import Foundation
import TokenWatchCore
import ZeroMQ

/// An independent publisher of token events: XPUB, so it can wait for the daemon's subscription instead
/// of sleeping, and NODROP, so nothing is lost at the high-water mark.
final class TestPublisher {
    let context: ZMQContext
    let socket: ZMQSocket

    init(context: ZMQContext, connect endpoint: String, configure: (ZMQSocket) throws -> Void = { _ in }) throws {
        self.context = context
        socket = try ZMQSocket(context: context, type: .xpub)
        try configure(socket)
        try socket.setXPubNoDrop(true)
        // Every subscription is passed up, even a second daemon's identical one.
        try socket.setXPubVerbose(true)
        try socket.setSendHighWaterMark(0)
        try socket.setLinger(milliseconds: 2000)
        try socket.connect(endpoint)
        guard try socket.waitReadable(timeoutMilliseconds: 20_000), let subscription = try socket.receiveMultipart(),
            subscription == [[1] + Array("tokens".utf8)]
        else { throw TimedOut(description: "the daemon did not subscribe to 'tokens'") }
    }

    func publish(_ payload: String, topic: String = "tokens") throws {
        try socket.send(frames: [Array(topic.utf8), Array(payload.utf8)])
    }

    func publish(frames: [[UInt8]]) throws {
        try socket.send(frames: frames)
    }
}

/// An independent alert subscriber that checks the frames itself.
final class TestSubscriber {
    struct Received {
        var topic: String
        var payload: String
        var object: [String: Any]
        var topicSequence: UInt32
    }

    let socket: ZMQSocket

    init(
        context: ZMQContext, connect endpoint: String, topic: String = "alert",
        configure: (ZMQSocket) throws -> Void = { _ in }
    ) throws {
        socket = try ZMQSocket(context: context, type: .sub)
        try configure(socket)
        try socket.setLinger(milliseconds: 0)
        try socket.subscribe(topic)
        try socket.connect(endpoint)
    }

    /// The next alert; fails the test (throws) if it does not come in time or breaks the frame contract.
    func next(timeout: Duration = .seconds(20)) throws -> Received {
        guard try socket.waitReadable(timeoutMilliseconds: Int(timeout.milliseconds)),
            let frames = try socket.receiveMultipart()
        else { throw TimedOut(description: "no alert within \(timeout)") }
        guard frames.count == 3, frames[2].count == 4 else {
            throw TimedOut(description: "alert with \(frames.count) frames; the contract says 3 with a 4-byte sequence")
        }
        let payload = String(decoding: frames[1], as: UTF8.self)
        guard let object = try JSONSerialization.jsonObject(with: Data(frames[1])) as? [String: Any] else {
            throw TimedOut(description: "alert payload is not a JSON object: \(payload)")
        }
        // Little-endian by hand, independently of the daemon's encoder.
        let sequence =
            UInt32(frames[2][0]) | UInt32(frames[2][1]) << 8 | UInt32(frames[2][2]) << 16 | UInt32(frames[2][3]) << 24
        return Received(
            topic: String(decoding: frames[0], as: UTF8.self), payload: payload, object: object, topicSequence: sequence
        )
    }
}
