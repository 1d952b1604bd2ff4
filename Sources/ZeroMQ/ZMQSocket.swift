import CZeroMQ

/// A libzmq socket. Not thread-safe (libzmq's rule): use it from one thread at a time.
///
/// Sends and receives come in two flavours: blocking, and `dontWait`, which returns `false`/`nil` instead of
/// waiting when the operation would block (`EAGAIN`). Every other failure throws a ``ZMQError``.
public final class ZMQSocket {
    /// The context is retained so that it cannot be terminated while this socket is open.
    public let context: ZMQContext
    public let type: ZMQSocketType
    private var handle: UnsafeMutableRawPointer?

    public init(context: ZMQContext, type: ZMQSocketType) throws {
        guard let handle = zmq_socket(context.handle, type.rawValue) else {
            throw ZMQError.last("zmq_socket")
        }
        self.context = context
        self.type = type
        self.handle = handle
    }

    deinit { close() }

    /// Closes the socket. Unsent messages are kept for at most the linger period (see ``setLinger(milliseconds:)``).
    public func close() {
        if let handle {
            zmq_close(handle)
            self.handle = nil
        }
    }

    /// The libzmq handle, for calls the wrapper makes on several sockets at once (poll, monitor).
    func rawHandle() throws -> UnsafeMutableRawPointer { try open("use") }

    private func open(_ operation: @autoclosure () -> String) throws -> UnsafeMutableRawPointer {
        guard let handle else { throw ZMQError(operation: operation(), code: ENOTSOCK) }
        return handle
    }

    // MARK: Endpoints

    public func bind(_ endpoint: String) throws {
        let handle = try open("bind \(endpoint)")
        guard zmq_bind(handle, endpoint) == 0 else { throw ZMQError.last("bind \(endpoint)") }
    }

    public func connect(_ endpoint: String) throws {
        let handle = try open("connect \(endpoint)")
        guard zmq_connect(handle, endpoint) == 0 else { throw ZMQError.last("connect \(endpoint)") }
    }

    /// The endpoint last bound, with the port the system chose when bound to `:*` or port 0.
    public var lastEndpoint: String {
        get throws {
            let handle = try open("getsockopt ZMQ_LAST_ENDPOINT")
            var buffer = [CChar](repeating: 0, count: 1024)
            var size = buffer.count
            guard zmq_getsockopt(handle, ZMQ_LAST_ENDPOINT, &buffer, &size) == 0 else {
                throw ZMQError.last("getsockopt ZMQ_LAST_ENDPOINT")
            }
            return String(decoding: buffer.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
        }
    }

    // MARK: Options

    /// Subscribes a SUB socket to every topic that starts with `prefix`.
    public func subscribe(_ prefix: String) throws {
        try setBytesOption(ZMQ_SUBSCRIBE, Array(prefix.utf8), name: "ZMQ_SUBSCRIBE")
    }

    /// How long unsent messages are kept after ``close()``; `-1` waits forever (libzmq's default), which
    /// can hang a shutdown: TokenWatch always sets a bound.
    public func setLinger(milliseconds: Int32) throws {
        try setIntOption(ZMQ_LINGER, milliseconds, name: "ZMQ_LINGER")
    }

    /// The send high-water mark: messages queued per peer before a PUB drops or a PUSH blocks. 0 means no limit.
    public func setSendHighWaterMark(_ messages: Int32) throws {
        try setIntOption(ZMQ_SNDHWM, messages, name: "ZMQ_SNDHWM")
    }

    /// The receive high-water mark: messages queued per peer before the peer stops sending to us.
    public func setReceiveHighWaterMark(_ messages: Int32) throws {
        try setIntOption(ZMQ_RCVHWM, messages, name: "ZMQ_RCVHWM")
    }

    /// The kernel receive buffer of the socket's connections, in bytes (`ZMQ_RCVBUF`); 0 keeps the system's.
    public func setReceiveBuffer(bytes: Int32) throws {
        try setIntOption(ZMQ_RCVBUF, bytes, name: "ZMQ_RCVBUF")
    }

    /// Peers that send a frame larger than this are disconnected by libzmq. `-1` is no limit.
    public func setMaxMessageSize(_ bytes: Int64) throws {
        let handle = try open("setsockopt ZMQ_MAXMSGSIZE")
        var value = bytes
        guard zmq_setsockopt(handle, ZMQ_MAXMSGSIZE, &value, MemoryLayout<Int64>.size) == 0 else {
            throw ZMQError.last("setsockopt ZMQ_MAXMSGSIZE")
        }
    }

    /// On an XPUB socket: fail a send with `EAGAIN` at the high-water mark instead of dropping silently,
    /// so that the sender can count (or wait out) what would have been lost.
    public func setXPubNoDrop(_ enabled: Bool) throws {
        try setIntOption(ZMQ_XPUB_NODROP, enabled ? 1 : 0, name: "ZMQ_XPUB_NODROP")
    }

    /// On an XPUB socket: pass every subscription message up to the application, duplicates included, so
    /// that each subscriber's arrival can be seen.
    public func setXPubVerbose(_ enabled: Bool) throws {
        try setIntOption(ZMQ_XPUB_VERBOSE, enabled ? 1 : 0, name: "ZMQ_XPUB_VERBOSE")
    }

    /// On a connecting socket: queue messages only to completed connections, and end a connection's pipe when
    /// it drops (rather than keep it for the reconnection), so an XPUB sees the peer's subscriptions leave.
    public func setImmediate(_ enabled: Bool) throws {
        try setIntOption(ZMQ_IMMEDIATE, enabled ? 1 : 0, name: "ZMQ_IMMEDIATE")
    }

    /// ZMTP heartbeats: a PING every `interval`, and the connection dropped when nothing arrives for `timeout`;
    /// a peer that vanished without closing (a host gone, a cable pulled) is noticed.
    public func setHeartbeat(intervalMilliseconds interval: Int32, timeoutMilliseconds timeout: Int32) throws {
        try setIntOption(ZMQ_HEARTBEAT_IVL, interval, name: "ZMQ_HEARTBEAT_IVL")
        try setIntOption(ZMQ_HEARTBEAT_TIMEOUT, timeout, name: "ZMQ_HEARTBEAT_TIMEOUT")
    }

    /// How long a blocking receive waits before failing with `EAGAIN`; -1 waits forever.
    public func setReceiveTimeout(milliseconds: Int32) throws {
        try setIntOption(ZMQ_RCVTIMEO, milliseconds, name: "ZMQ_RCVTIMEO")
    }

    /// How long a blocking send waits before failing with `EAGAIN`; -1 waits forever.
    public func setSendTimeout(milliseconds: Int32) throws {
        try setIntOption(ZMQ_SNDTIMEO, milliseconds, name: "ZMQ_SNDTIMEO")
    }

    public func setIntOption(_ option: Int32, _ value: Int32, name: String) throws {
        let handle = try open("setsockopt \(name)")
        var value = value
        guard zmq_setsockopt(handle, option, &value, MemoryLayout<Int32>.size) == 0 else {
            throw ZMQError.last("setsockopt \(name)")
        }
    }

    public func setBytesOption(_ option: Int32, _ value: [UInt8], name: String) throws {
        let handle = try open("setsockopt \(name)")
        let result = value.withUnsafeBytes { zmq_setsockopt(handle, option, $0.baseAddress, $0.count) }
        guard result == 0 else { throw ZMQError.last("setsockopt \(name)") }
    }

    /// Whether the frame just received has more frames after it in the same message.
    public var hasMoreFrames: Bool {
        guard let handle else { return false }
        var more: Int32 = 0
        var size = MemoryLayout<Int32>.size
        zmq_getsockopt(handle, ZMQ_RCVMORE, &more, &size)
        return more != 0
    }

    // MARK: Sending

    /// Sends one frame. Returns `false` if `dontWait` is set and the send would block.
    @discardableResult
    public func send(_ bytes: UnsafeRawBufferPointer, more: Bool = false, dontWait: Bool = false) throws -> Bool {
        let handle = try open("send")
        var flags: Int32 = 0
        if more { flags |= ZMQ_SNDMORE }
        if dontWait { flags |= ZMQ_DONTWAIT }
        while true {
            if zmq_send(handle, bytes.baseAddress, bytes.count, flags) >= 0 { return true }
            let code = zmq_errno()
            if code == EINTR { continue }
            if code == EAGAIN { return false }
            throw ZMQError(operation: "send", code: code)
        }
    }

    /// Sends a message of several frames. Returns `false` if `dontWait` is set and the first frame would
    /// block; libzmq queues multipart messages atomically, so the later frames then cannot block.
    @discardableResult
    public func send(frames: [[UInt8]], dontWait: Bool = false) throws -> Bool {
        for (index, frame) in frames.enumerated() {
            let isLast = index == frames.count - 1
            let sent = try frame.withUnsafeBytes { try send($0, more: !isLast, dontWait: dontWait) }
            if !sent { return false }
        }
        return true
    }

    // MARK: Receiving

    /// Receives the next frame into `message`. Returns `false` if `dontWait` is set and none is waiting, or
    /// when a receive timeout expires.
    public func receive(into message: ZMQMessage, dontWait: Bool = false) throws -> Bool {
        let handle = try open("receive")
        let flags: Int32 = dontWait ? ZMQ_DONTWAIT : 0
        while true {
            if zmq_msg_recv(message.pointer, handle, flags) >= 0 { return true }
            let code = zmq_errno()
            if code == EINTR { continue }
            if code == EAGAIN { return false }
            throw ZMQError(operation: "receive", code: code)
        }
    }

    /// Receives a whole message, every frame copied. Returns `nil` when nothing is waiting (with `dontWait`)
    /// or a receive timeout expired. Convenient for tools and tests; the hot path uses ``receive(into:dontWait:)``.
    public func receiveMultipart(dontWait: Bool = false) throws -> [[UInt8]]? {
        let message = ZMQMessage()
        guard try receive(into: message, dontWait: dontWait) else { return nil }
        var frames = [message.bytes]
        while hasMoreFrames {
            _ = try receive(into: message)
            frames.append(message.bytes)
        }
        return frames
    }

    // MARK: Polling

    /// Waits until the socket is readable, for at most `timeoutMilliseconds` (-1: forever). Returns whether
    /// it is readable.
    public func waitReadable(timeoutMilliseconds: Int) throws -> Bool {
        try poll(events: Int16(ZMQ_POLLIN), timeoutMilliseconds: timeoutMilliseconds)
    }

    /// Waits until the socket can send, for at most `timeoutMilliseconds`.
    public func waitWritable(timeoutMilliseconds: Int) throws -> Bool {
        try poll(events: Int16(ZMQ_POLLOUT), timeoutMilliseconds: timeoutMilliseconds)
    }

    private func poll(events: Int16, timeoutMilliseconds: Int) throws -> Bool {
        let handle = try open("poll")
        var item = zmq_pollitem_t(socket: handle, fd: 0, events: events, revents: 0)
        while true {
            let result = zmq_poll(&item, 1, timeoutMilliseconds)
            if result >= 0 { return result > 0 && (item.revents & events) != 0 }
            let code = zmq_errno()
            if code == EINTR { continue }
            throw ZMQError(operation: "poll", code: code)
        }
    }
}

@available(*, unavailable)
extension ZMQSocket: Sendable {}
