/// The detection thread's loop, from running through draining to drained, and its checkpoint schedule.
///
/// A value type with one mutating method per input, each returning what the thread must do; the thread
/// does the I/O. Tests drive it without sockets.
struct DetectionLoopState<Instant: InstantProtocol> {
    enum Phase: Equatable {
        /// Receiving and detecting.
        case running
        /// A stop was forwarded to the decode stage, which hands over what libzmq already holds, then a
        /// last batch.
        case draining
        /// The last batch has come: publish, checkpoint, end.
        case drained
    }

    private(set) var phase = Phase.running
    private(set) var nextCheckpoint: Instant
    let checkpointInterval: Instant.Duration

    init(now: Instant, checkpointInterval: Instant.Duration) {
        self.checkpointInterval = checkpointInterval
        nextCheckpoint = now.advanced(by: checkpointInterval)
    }

    enum StopAction: Equatable {
        case forwardStopToDecodeStage
        case none
    }

    /// Seen at the top of each round while a stop is requested: forwarded to the decode stage once.
    mutating func stopRequested() -> StopAction {
        guard phase == .running else { return .none }
        phase = .draining
        return .forwardStopToDecodeStage
    }

    /// The decode stage handed over its last batch, after a stop or because it failed with `error`: the
    /// loop ends, and a failure ends the thread with it.
    mutating func lastBatchArrived(error: (any Error)?) throws {
        phase = .drained
        if let error { throw error }
    }

    /// Whether a checkpoint is due at `now`; if so, the next is scheduled an `interval` later (the
    /// configured interval, which a reload may have changed).
    mutating func checkpointDue(now: Instant, interval: Instant.Duration) -> Bool {
        guard now >= nextCheckpoint else { return false }
        nextCheckpoint = now.advanced(by: interval)
        return true
    }
}
