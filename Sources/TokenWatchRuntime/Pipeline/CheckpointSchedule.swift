/// When the detection thread writes its next checkpoint in the background, while it runs.
struct CheckpointSchedule<Instant: InstantProtocol> {
    private(set) var next: Instant

    init(now: Instant, interval: Instant.Duration) {
        next = now.advanced(by: interval)
    }

    /// Whether a checkpoint is due at `now`; if so, the next is scheduled an `interval` later (the configured
    /// interval, which a reload may have changed).
    mutating func isDue(now: Instant, interval: Instant.Duration) -> Bool {
        guard now >= next else { return false }
        next = now.advanced(by: interval)
        return true
    }
}
