import ZeroMQ

/// What the detection thread's poll woke up for, by name rather than by position in a socket array.
struct PipelineWakeups: OptionSet {
    let rawValue: UInt8

    /// The decode stage queued batches.
    static let decodedBatches = PipelineWakeups(rawValue: 1)
    /// A catch-up client asked for alerts.
    static let catchupRequests = PipelineWakeups(rawValue: 2)
    /// libzmq asks whether a CURVE client may connect.
    static let authenticationRequests = PipelineWakeups(rawValue: 4)
}

/// The sockets the detection thread sleeps on, in one poll.
struct DetectionPoll {
    private let sockets: [ZMQSocket]
    private let wakeups: [PipelineWakeups]

    init(wake: ZMQSocket, catchup: ZMQSocket?, authentication: ZMQSocket?) {
        var sockets = [wake]
        var wakeups: [PipelineWakeups] = [.decodedBatches]
        if let catchup {
            sockets.append(catchup)
            wakeups.append(.catchupRequests)
        }
        if let authentication {
            sockets.append(authentication)
            wakeups.append(.authenticationRequests)
        }
        self.sockets = sockets
        self.wakeups = wakeups
    }

    /// Waits until one socket is readable or the timeout passes.
    func wait(timeoutMilliseconds: Int) throws -> PipelineWakeups {
        let readable = try ZMQPoller.readable(sockets, timeoutMilliseconds: timeoutMilliseconds)
        var woken: PipelineWakeups = []
        for (index, isReadable) in readable.enumerated() where isReadable { woken.insert(wakeups[index]) }
        return woken
    }
}
