import Foundation
import Testing
import TokenWatchClient
import ZeroMQ

/// The alert listener against a real libzmq publisher on loopback (a port the system picks). The event sender
/// is met by the real daemon in the end-to-end tests (`generate --connect`, `demo`).
@Suite("Client sockets")
struct ClientSocketTests {
    /// An alert as the daemon publishes it, written by hand.
    static func alertJSON(seq: Int) -> String {
        #"{"id":"a\#(seq)","incident":"inc1","seq":\#(seq),"detector":"agent_loop","severity":"warning","#
            + #""state":"firing","subject":{"user":"u1","agent":"mailer"},"ts":"2026-11-02T10:00:00.000Z","#
            + #""window":{"start":"2026-11-02T09:50:00.000Z","end":"2026-11-02T10:00:00.000Z"},"#
            + #""observed":{"iterations":20},"threshold":{"min_iterations":20},"summary":"looping","#
            + #""evidence":["e1"],"suppressed":0}"#
    }

    static func frames(_ topic: String, _ payload: String, _ sequence: UInt32) -> [[UInt8]] {
        [Array(topic.utf8), Array(payload.utf8), withUnsafeBytes(of: sequence.littleEndian) { Array($0) }]
    }

    /// Waits until `publisher` (XPUB) has seen a subscription, so that nothing sent after is dropped.
    static func waitForSubscription(_ publisher: ZMQSocket) throws {
        let deadline = ContinuousClock.now + .seconds(10)
        while ContinuousClock.now < deadline {
            if try publisher.waitReadable(timeoutMilliseconds: 100),
                let frames = try publisher.receiveMultipart(dontWait: true), frames.first?.first == 1
            {
                return
            }
        }
        Issue.record("no subscription within 10 s")
    }

    @Test func theListenerReadsAlertsCountsAGapAndNamesAMalformedMessage() throws {
        let context = try ZMQContext()
        let publisher = try ZMQSocket(context: context, type: .xpub)
        defer { publisher.close() }
        try publisher.setLinger(milliseconds: 0)
        try publisher.bind("tcp://127.0.0.1:*")
        let listener = try AlertListener(context: context, connect: publisher.lastEndpoint)
        defer { listener.close() }
        try Self.waitForSubscription(publisher)
        // Sequences 5 and then 7 on one topic: one alert lost between them. Then two frames only.
        _ = try publisher.send(frames: Self.frames("alert.agent_loop", Self.alertJSON(seq: 1), 5))
        _ = try publisher.send(frames: Self.frames("alert.agent_loop", Self.alertJSON(seq: 2), 7))
        _ = try publisher.send(frames: [Array("alert.x".utf8), Array("{}".utf8)])
        var messages: [AlertMessage] = []
        let deadline = ContinuousClock.now + .seconds(10)
        while messages.count < 3 && ContinuousClock.now < deadline {
            if let message = try listener.next(timeoutMilliseconds: 100) { messages.append(message) }
        }
        try #require(messages.count == 3)
        guard case .alert(let first, let lostBeforeFirst) = messages[0],
            case .alert(let second, let lostBeforeSecond) = messages[1],
            case .malformed(let why) = messages[2]
        else {
            Issue.record("unexpected messages: \(messages)")
            return
        }
        #expect(first.seq == 1 && first.topicSequence == 5 && lostBeforeFirst == 0)
        #expect(first.id == "a1" && first.severity == "warning" && first.summary == "looping")
        #expect(first.digest.user == "u1" && first.digest.agent == "mailer")
        #expect(second.seq == 2 && second.topicSequence == 7 && lostBeforeSecond == 1)
        #expect(why == "expected 3 frames [topic, payload, sequence], got 2")
    }
}
