import TokenWatchOTLP

extension OTLPExportHandler {
    /// Calls held for a daemon at most: beyond it the oldest are dropped (and counted as rejected).
    static let maxUnsent = 100_000

    /// Spans whose log records wait for them, and calls of records that wait for a daemon.
    package var waiting: Int { joiner.withLock { $0.count } + unsent.withLock { $0.events.count } }

    /// Publishes the calls of log records whose span did not come within `bridge.join_wait` (``CallJoiner``),
    /// with those no daemon took last time. `now`: nanoseconds since 1970; `.max` lets every part go (shutdown).
    package func sweep(now: UInt64 = OTLPExportHandler.wallClock()) {
        let expired = joiner.withLock { $0.expired(now: now) }
        if !expired.isEmpty {
            var fresh = logs.translate(expired: expired)
            metrics.records(signal: OTLPExportHandler.Signal.logs.rawValue, fresh, published: false)
            fresh.rejected = [:]
            unsent.withLock { unsent in
                unsent.events += fresh.events
                unsent.shards += fresh.shards
            }
        }
        unsent.withLock { unsent in
            guard !unsent.events.isEmpty else { return }
            switch publisher.publish(unsent.events, shards: unsent.shards) {
            case .published:
                metrics.records(signal: OTLPExportHandler.Signal.logs.rawValue, unsent, published: true)
                unsent = OTLPTranslation()
            case .backpressure(let sent):
                var done = OTLPTranslation()
                done.events = Array(unsent.events.prefix(sent))
                metrics.records(signal: OTLPExportHandler.Signal.logs.rawValue, done, published: true)
                unsent.events.removeFirst(sent)
                unsent.shards.removeFirst(sent)
            case .noSubscriber:
                let excess = unsent.events.count - Self.maxUnsent
                guard excess > 0 else { return }
                unsent.events.removeFirst(excess)
                unsent.shards.removeFirst(excess)
                metrics.dropped(excess)
            }
        }
    }
}
