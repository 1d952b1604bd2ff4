/// How the engine's shards are spread over threads: `run` calls its body once for each worker index
/// `0..<workers`, concurrently or not, and returns when every call has returned. The engine gives the same
/// alerts with any executor and any number of workers; only the time it takes changes.
///
/// The core has no threads of its own: the runtime's executor runs the workers on threads it keeps, and
/// ``InlineShardExecutor`` runs them one after the other on the caller's thread.
public protocol ShardExecutor {
    var workers: Int { get }
    /// Calls `body` for each worker index; calls for different indices may run at the same time. `steps` is
    /// how many events the calls share: an executor may run a small segment on the calling thread alone.
    func run(steps: Int, _ body: (Int) -> Void)
}

/// Runs every worker's share on the calling thread, in turn: what tests use to check that the split itself
/// changes nothing, and what one thread amounts to.
public struct InlineShardExecutor: ShardExecutor {
    public let workers: Int

    public init(workers: Int = 1) {
        precondition(workers >= 1, "at least one worker")
        self.workers = workers
    }

    public func run(steps: Int, _ body: (Int) -> Void) {
        for worker in 0..<workers { body(worker) }
    }
}
