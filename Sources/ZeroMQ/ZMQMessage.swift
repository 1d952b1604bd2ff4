import CZeroMQ

/// One frame received from a socket, reused from one receive to the next.
///
/// `zmq_msg_t` keeps messages of up to 33 bytes inside the struct itself, so the struct must never be copied
/// by value: this class owns it at a fixed heap address for its whole life.
public final class ZMQMessage {
    let pointer: UnsafeMutablePointer<zmq_msg_t>

    public init() {
        pointer = .allocate(capacity: 1)
        zmq_msg_init(pointer)
    }

    deinit {
        zmq_msg_close(pointer)
        pointer.deallocate()
    }

    /// The frame's size in bytes.
    public var count: Int { zmq_msg_size(pointer) }

    /// Gives access to the frame's bytes; they stay valid until the next receive into this message.
    public func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        let size = zmq_msg_size(pointer)
        guard size > 0, let data = zmq_msg_data(pointer) else {
            return try body(UnsafeRawBufferPointer(start: nil, count: 0))
        }
        return try body(UnsafeRawBufferPointer(start: data, count: size))
    }

    /// A copy of the frame's bytes.
    public var bytes: [UInt8] { withUnsafeBytes { Array($0) } }
}

@available(*, unavailable)
extension ZMQMessage: Sendable {}
