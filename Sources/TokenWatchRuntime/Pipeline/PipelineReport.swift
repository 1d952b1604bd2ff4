/// What the detection thread publishes for other threads to read: its statistics and heartbeat, once per
/// batch, and where its sockets are bound; with the reload outcomes other threads record.
struct PipelineReport: Sendable {
    var statistics = PipelineStatistics()
    var heartbeat: ContinuousClock.Instant?
    var boundEndpoints: DetectionPipeline.BoundEndpoints?
    private var reloadsSucceeded: UInt64 = 0
    private var reloadsFailed: UInt64 = 0

    mutating func recordReload(succeeded: Bool) {
        if succeeded { reloadsSucceeded += 1 } else { reloadsFailed += 1 }
    }

    /// Publishes the thread's totals, completed with the reload outcomes; returns them as published.
    mutating func publish(_ totals: PipelineStatistics, heartbeat: ContinuousClock.Instant) -> PipelineStatistics {
        var totals = totals
        totals.reloadsSucceeded = reloadsSucceeded
        totals.reloadsFailed = reloadsFailed
        statistics = totals
        self.heartbeat = heartbeat
        return totals
    }
}
