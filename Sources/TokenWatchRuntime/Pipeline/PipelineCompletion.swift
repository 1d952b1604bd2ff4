/// How `start()` and `waitUntilFinished()` learn that the detection thread is ready or has ended.
///
/// A state machine in the manner of swift-nio's `NIOAsyncWriter`: one mutating method per input, each
/// returning whom the caller must resume, which it does outside the lock that guards the value. Generic
/// over the waiter so that tests drive every input in every state with plain values.
struct PipelineCompletion<Waiter> {
    enum State {
        /// The thread is setting up; `ready` is resumed once its sockets are bound.
        case starting(ready: Waiter?, waiters: [Waiter])
        /// Ready and detecting; `waiters` wait for the end.
        case running(waiters: [Waiter])
        case finished(Result<Void, any Error>)
    }

    private(set) var state = State.starting(ready: nil, waiters: [])

    /// `start()` waits for readiness.
    mutating func starting(ready: Waiter) {
        switch state {
        case .starting(_, let waiters): state = .starting(ready: ready, waiters: waiters)
        case .running, .finished: preconditionFailure("the pipeline starts once")
        }
    }

    /// The sockets are bound and state restored: returns the waiter to resume with success.
    mutating func becameReady() -> Waiter? {
        guard case .starting(let ready, let waiters) = state else { return nil }
        state = .running(waiters: waiters)
        return ready
    }

    enum WaitAction {
        case suspend
        case resume(Result<Void, any Error>)
    }

    /// Someone waits for the end: suspend until ``finished(_:)``, or resume at once if it has come.
    mutating func wait(_ waiter: Waiter) -> WaitAction {
        switch state {
        case .starting(let ready, var waiters):
            waiters.append(waiter)
            state = .starting(ready: ready, waiters: waiters)
            return .suspend
        case .running(var waiters):
            waiters.append(waiter)
            state = .running(waiters: waiters)
            return .suspend
        case .finished(let result):
            return .resume(result)
        }
    }

    /// The thread ended with `result`: returns everyone to resume with it. A thread that fails before it
    /// is ready reports the failure to the waiter of `start()`.
    mutating func finished(_ result: Result<Void, any Error>) -> [Waiter] {
        switch state {
        case .starting(let ready, let waiters):
            state = .finished(result)
            return (ready.map { [$0] } ?? []) + waiters
        case .running(let waiters):
            state = .finished(result)
            return waiters
        case .finished:
            return []
        }
    }
}
