import Foundation
import ZeroMQ

@testable import TokenWatchRuntime

/// An alert publisher on a free loopback port with a subscriber to `alert` that the publisher has seen
/// subscribe (so nothing published is dropped for want of a subscriber): what the delivery tests publish
/// through and read back.
struct SubscribedPublisher {
    let context: ZMQContext
    let publisher: AlertPublisher
    let subscriber: ZMQSocket

    init() throws {
        context = try ZMQContext()
        publisher = try AlertPublisher(context: context, endpoint: "tcp://127.0.0.1:*", sendHighWaterMark: 1000)
        subscriber = try ZMQSocket(context: context, type: .sub)
        try subscriber.setLinger(milliseconds: 0)
        try subscriber.subscribe("alert")
        try subscriber.connect(publisher.boundEndpoint)
        let deadline = ContinuousClock.now + .seconds(20)
        while try publisher.drainSubscriptions().isEmpty {
            guard ContinuousClock.now < deadline else { throw TimedOut(what: "the subscription") }
            Thread.sleep(forTimeInterval: 0.01)
        }
    }

    /// The frames of every message that arrives before the subscriber has been quiet for 300 ms.
    func received() throws -> [[[UInt8]]] {
        var messages: [[[UInt8]]] = []
        while try subscriber.waitReadable(timeoutMilliseconds: 300), let frames = try subscriber.receiveMultipart() {
            messages.append(frames)
        }
        return messages
    }

    func close() {
        subscriber.close()
        publisher.close()
    }
}
