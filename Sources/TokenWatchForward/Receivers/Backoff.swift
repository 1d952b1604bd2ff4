/// The waits between attempts: doubling from `initial` up to `maximum`.
package struct Backoff: Sendable {
    let initial: Duration
    let maximum: Duration
    private(set) var next: Duration

    package init(initial: Duration, maximum: Duration) {
        self.initial = initial
        self.maximum = maximum
        next = initial
    }

    /// The wait before the next attempt; each call doubles the following one.
    package mutating func failed() -> Duration {
        let wait = next
        next = min(next * 2, maximum)
        return wait
    }

    package mutating func succeeded() { next = initial }
}
