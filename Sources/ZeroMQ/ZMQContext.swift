import CZeroMQ

/// A libzmq context: the I/O threads that every socket made from it shares.
///
/// libzmq documents contexts as thread-safe, so the class is `Sendable`; sockets made from it are not.
public final class ZMQContext: @unchecked Sendable {
    // @unchecked: the pointer is only handed to zmq_ctx_* calls, which libzmq makes thread-safe.
    let handle: UnsafeMutableRawPointer

    /// Creates a context with `ioThreads` background I/O threads (libzmq's default is 1).
    public init(ioThreads: Int32 = 1) throws {
        guard let handle = zmq_ctx_new() else { throw ZMQError.last("zmq_ctx_new") }
        self.handle = handle
        if ioThreads != 1 {
            zmq_ctx_set(handle, ZMQ_IO_THREADS, ioThreads)
        }
    }

    deinit {
        // Every socket must be closed first or zmq_ctx_term blocks; sockets keep the context alive.
        while zmq_ctx_term(handle) != 0 && zmq_errno() == EINTR {}
    }

    /// The libzmq library version, for example `(4, 3, 4)`.
    public static var libraryVersion: (major: Int32, minor: Int32, patch: Int32) {
        var major: Int32 = 0
        var minor: Int32 = 0
        var patch: Int32 = 0
        zmq_version(&major, &minor, &patch)
        return (major, minor, patch)
    }
}
