import NIOCore
import Synchronization

/// A listener's open connections, across its event loops, held to a limit.
public final class ConnectionLimit: Sendable {
    /// What happens to a connection beyond the limit.
    public enum Policy: Sendable {
        /// It is closed at once (`/metrics`: a scraper retries).
        case refuseNew
        /// It is kept, and the open connection that has gone longest without a request served is closed instead:
        /// connections held open without sending a request cannot lock out a sender that does send one.
        case closeLeastRecentlyServed
    }

    private struct State {
        /// Each open connection with the tick of its opening or last request served.
        var open: [ObjectIdentifier: (channel: any Channel, tick: UInt64)] = [:]
        var tick: UInt64 = 0
    }

    private let limit: Int
    private let policy: Policy
    private let state = Mutex(State())

    init(_ limit: Int, whenFull policy: Policy) {
        self.limit = limit
        self.policy = policy
    }

    /// Counts a new connection; `false` (and not counted) when it is refused.
    func admit(_ channel: any Channel) -> Bool {
        let outcome: (admitted: Bool, evicted: (any Channel)?) = state.withLock { state in
            var evicted: (any Channel)?
            if state.open.count >= limit {
                guard policy == .closeLeastRecentlyServed,
                    let oldest = state.open.min(by: { $0.value.tick < $1.value.tick })
                else { return (false, nil) }
                evicted = state.open.removeValue(forKey: oldest.key)?.channel
            }
            state.tick += 1
            state.open[ObjectIdentifier(channel)] = (channel, state.tick)
            return (true, evicted)
        }
        // Closed outside the lock, on its own event loop.
        outcome.evicted?.close(promise: nil)
        return outcome.admitted
    }

    /// Marks a connection as having had a request served: the last to be closed for a newcomer.
    func served(_ channel: any Channel) {
        state.withLock { state in
            let key = ObjectIdentifier(channel)
            guard state.open[key] != nil else { return }
            state.tick += 1
            state.open[key]?.tick = state.tick
        }
    }

    func release(_ channel: any Channel) {
        _ = state.withLock { $0.open.removeValue(forKey: ObjectIdentifier(channel)) }
    }
}
