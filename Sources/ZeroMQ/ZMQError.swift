import CZeroMQ

/// A failed libzmq call, with the operation that failed and libzmq's own explanation.
///
/// `errno` is kept so that callers can tell "try again" (`EAGAIN`) and "interrupted" (`EINTR`) apart from
/// real failures without parsing text.
public struct ZMQError: Error, CustomStringConvertible, Sendable, Equatable {
    /// What was being done, for example `bind tcp://127.0.0.1:7700`.
    public var operation: String
    /// The `errno` value libzmq reported.
    public var code: Int32

    public init(operation: String, code: Int32) {
        self.operation = operation
        self.code = code
    }

    /// Builds the error from the calling thread's current `zmq_errno()`.
    static func last(_ operation: @autoclosure () -> String) -> ZMQError {
        ZMQError(operation: operation(), code: zmq_errno())
    }

    /// libzmq's text for the code (`zmq_strerror`).
    public var reason: String { String(cString: zmq_strerror(code)) }

    public var description: String { "\(operation): \(reason) (errno \(code))" }

    /// The context was terminated while a call was blocked in it.
    public var isContextTerminated: Bool { code == ETERM }
}
