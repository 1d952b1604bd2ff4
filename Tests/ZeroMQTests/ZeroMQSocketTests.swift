import Testing
import ZeroMQ

@Suite("ZeroMQ wrapper over real libzmq sockets on loopback")
struct ZeroMQSocketTests {
    let context = try! ZMQContext()

    /// Binds on a port the system chooses, so that parallel tests never collide.
    func boundSocket(_ type: ZMQSocketType) throws -> (ZMQSocket, String) {
        let socket = try ZMQSocket(context: context, type: type)
        try socket.setLinger(milliseconds: 0)
        try socket.bind("tcp://127.0.0.1:*")
        return (socket, try socket.lastEndpoint)
    }

    @Test func multipartMessagesArriveWholeAndInOrder() throws {
        let (pull, endpoint) = try boundSocket(.pull)
        let push = try ZMQSocket(context: context, type: .push)
        try push.setLinger(milliseconds: 0)
        try push.connect(endpoint)
        try push.send(frames: [Array("topic".utf8), Array("payload".utf8), [1, 0, 0, 0]])
        try push.send(frames: [Array("second".utf8)])
        try pull.setReceiveTimeout(milliseconds: 5000)
        #expect(try pull.receiveMultipart() == [Array("topic".utf8), Array("payload".utf8), [1, 0, 0, 0]])
        #expect(try pull.receiveMultipart() == [Array("second".utf8)])
    }

    @Test func smallAndLargeFramesSurviveReuseOfOneMessage() throws {
        // Frames of up to 33 bytes live inside zmq_msg_t; larger ones on the heap. One ZMQMessage takes both.
        let (pull, endpoint) = try boundSocket(.pull)
        let push = try ZMQSocket(context: context, type: .push)
        try push.setLinger(milliseconds: 0)
        try push.connect(endpoint)
        let small = Array("tiny".utf8)
        let large = [UInt8](repeating: 0x61, count: 5000)
        try small.withUnsafeBytes { _ = try push.send($0) }
        try large.withUnsafeBytes { _ = try push.send($0) }
        let message = ZMQMessage()
        #expect(try pull.waitReadable(timeoutMilliseconds: 5000))
        #expect(try pull.receive(into: message))
        #expect(message.bytes == small)
        #expect(try pull.waitReadable(timeoutMilliseconds: 5000))
        #expect(try pull.receive(into: message))
        #expect(message.count == 5000 && message.bytes == large)
    }

    @Test func subscribersGetOnlyTheirTopicPrefix() throws {
        let (xpub, endpoint) = try boundSocket(.xpub)
        let sub = try ZMQSocket(context: context, type: .sub)
        try sub.setLinger(milliseconds: 0)
        try sub.subscribe("tokens")
        try sub.connect(endpoint)
        // XPUB hands the subscription up: [0x01, "tokens"]. Waiting for it replaces a sleep.
        #expect(try xpub.waitReadable(timeoutMilliseconds: 5000))
        #expect(try xpub.receiveMultipart() == [[1] + Array("tokens".utf8)])
        try xpub.send(frames: [Array("alerts".utf8), Array("no".utf8)])
        try xpub.send(frames: [Array("tokens.meshclaw".utf8), Array("yes".utf8)])
        try sub.setReceiveTimeout(milliseconds: 5000)
        #expect(try sub.receiveMultipart() == [Array("tokens.meshclaw".utf8), Array("yes".utf8)])
        #expect(try sub.receiveMultipart(dontWait: true) == nil)
    }

    @Test func aReceiveWithNothingWaitingReturnsNil() throws {
        let (pull, _) = try boundSocket(.pull)
        #expect(try pull.receiveMultipart(dontWait: true) == nil)
        #expect(try pull.waitReadable(timeoutMilliseconds: 10) == false)
    }

    @Test func failuresAreSwiftErrorsWithTheOperation() throws {
        let socket = try ZMQSocket(context: context, type: .sub)
        #expect(throws: ZMQError.self) { try socket.bind("nonsense://here") }
        do {
            try socket.bind("tcp://127.0.0.1:notaport")
            Issue.record("bind to a bad endpoint succeeded")
        } catch let error as ZMQError {
            #expect(error.operation == "bind tcp://127.0.0.1:notaport")
            #expect(!error.reason.isEmpty)
        }
    }

    @Test func aPortInUseIsRefused() throws {
        let (first, endpoint) = try boundSocket(.pub)
        let second = try ZMQSocket(context: context, type: .pub)
        #expect(throws: ZMQError.self) { try second.bind(endpoint) }
        first.close()
    }

    @Test func noDropXPubRefusesInsteadOfDroppingAtTheHighWaterMark() throws {
        let (xpub, endpoint) = try boundSocket(.xpub)
        try xpub.setSendHighWaterMark(10)
        try xpub.setXPubNoDrop(true)
        let sub = try ZMQSocket(context: context, type: .sub)
        try sub.setLinger(milliseconds: 0)
        try sub.setReceiveHighWaterMark(10)
        try sub.subscribe("")
        try sub.connect(endpoint)
        #expect(try xpub.waitReadable(timeoutMilliseconds: 5000))
        _ = try xpub.receiveMultipart()
        // Nobody reads the SUB: once both queues and the kernel's socket buffers fill, a send is refused rather
        // than lost silently. Frames of 4 KiB fill the buffers in a few thousand sends; a deadline, not a count,
        // bounds the wait, since libzmq's I/O thread moves messages into the buffers at its own pace.
        let frame = [UInt8](repeating: 120, count: 4096)
        let deadline = ContinuousClock.now + .seconds(20)
        var refused = false
        while !refused && ContinuousClock.now < deadline {
            refused = try !xpub.send(frames: [frame], dontWait: true)
        }
        #expect(refused)
    }
}
