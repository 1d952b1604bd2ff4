import CZeroMQ

/// Waits on several sockets at once (`zmq_poll`), for a thread that owns them all.
public enum ZMQPoller {
    /// Waits until at least one socket is readable or the timeout passes; returns which are readable,
    /// in the order given.
    public static func readable(_ sockets: [ZMQSocket], timeoutMilliseconds: Int) throws -> [Bool] {
        var items = try sockets.map { socket in
            zmq_pollitem_t(socket: try socket.rawHandle(), fd: 0, events: Int16(ZMQ_POLLIN), revents: 0)
        }
        while true {
            let result = zmq_poll(&items, Int32(items.count), timeoutMilliseconds)
            if result >= 0 { return items.map { ($0.revents & Int16(ZMQ_POLLIN)) != 0 } }
            let code = zmq_errno()
            if code == EINTR { continue }
            throw ZMQError(operation: "poll", code: code)
        }
    }
}

/// Events of a socket monitor (`zmq_socket_monitor`).
public struct ZMQMonitorEvent: Sendable, Equatable {
    public var event: UInt16
    public var value: UInt32
    public var endpoint: String

    public static let connected = UInt16(ZMQ_EVENT_CONNECTED)
    public static let disconnected = UInt16(ZMQ_EVENT_DISCONNECTED)
    public static let handshakeSucceeded = UInt16(ZMQ_EVENT_HANDSHAKE_SUCCEEDED)
    /// The security handshake failed: wrong keys, or one side with CURVE and the other without.
    public static let handshakeFailedNoDetail = UInt16(ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL)
    public static let handshakeFailedProtocol = UInt16(ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL)
    public static let handshakeFailedAuthentication = UInt16(ZMQ_EVENT_HANDSHAKE_FAILED_AUTH)
    /// All three handshake failures, as a mask for ``ZMQSocket/monitor(events:)``.
    public static let handshakeFailures =
        Int32(
            ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL | ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL | ZMQ_EVENT_HANDSHAKE_FAILED_AUTH
        )

    public var isHandshakeFailure: Bool {
        event == Self.handshakeFailedNoDetail || event == Self.handshakeFailedProtocol
            || event == Self.handshakeFailedAuthentication
    }
}

extension ZMQSocket {
    /// Starts a monitor that reports the given events (a bit mask of `ZMQ_EVENT_*`) on a PAIR socket, which
    /// is returned connected; read it with ``nextMonitorEvent(from:)``.
    public func monitor(events: Int32) throws -> ZMQSocket {
        let endpoint = "inproc://monitor-\(UInt64.random(in: 0...UInt64.max))"
        try startMonitor(on: endpoint, events: events)
        return try ZMQSocket.monitorReader(context: context, endpoint: endpoint)
    }

    /// Starts reporting the given events on an inproc PAIR endpoint, for a reader on another thread (made with
    /// ``monitorReader(context:endpoint:)``). Called by the thread that owns this socket.
    public func startMonitor(on endpoint: String, events: Int32) throws {
        guard zmq_socket_monitor(try rawHandle(), endpoint, events) == 0 else {
            throw ZMQError.last("zmq_socket_monitor")
        }
    }

    /// A PAIR socket connected to a monitor endpoint; read it with ``nextMonitorEvent(from:)``.
    public static func monitorReader(context: ZMQContext, endpoint: String) throws -> ZMQSocket {
        let pair = try ZMQSocket(context: context, type: .pair)
        try pair.setLinger(milliseconds: 0)
        try pair.connect(endpoint)
        return pair
    }

    /// Reads one monitor event from a socket returned by ``monitor(events:)``, if one is waiting.
    public static func nextMonitorEvent(from pair: ZMQSocket) throws -> ZMQMonitorEvent? {
        guard let frames = try pair.receiveMultipart(dontWait: true), frames.count == 2, frames[0].count >= 6 else {
            return nil
        }
        let event = UInt16(frames[0][0]) | UInt16(frames[0][1]) << 8
        let value =
            UInt32(frames[0][2]) | UInt32(frames[0][3]) << 8 | UInt32(frames[0][4]) << 16 | UInt32(frames[0][5]) << 24
        return ZMQMonitorEvent(event: event, value: value, endpoint: String(decoding: frames[1], as: UTF8.self))
    }
}
