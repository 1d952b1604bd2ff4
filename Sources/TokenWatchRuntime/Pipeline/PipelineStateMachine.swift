/// The pipeline's lifecycle, from the thread's start to its end, in the manner of swift-nio's `NIOAsyncWriter`:
/// one value behind one lock, one mutating method per input, each returning what the caller must do, which it
/// does outside the lock.
///
/// Generic over who waits (`Waiter`: `start()` and `waitUntilFinished()`) and over a pending reload
/// (`Reload`: a configuration and whom to resume once it applies), so that tests drive every input in every
/// state with plain values.
struct PipelineStateMachine<Waiter: Sendable, Reload: Sendable>: Sendable {
    /// What other threads left for the detection thread, read between batches.
    struct Inbox: Sendable {
        var reloads: [Reload] = []
        var operationalAlerts: [OperationalAlert] = []
    }

    enum State: Sendable {
        /// The thread is setting up: journal, state, sockets. `starter` is resumed once they are bound.
        case starting(starter: Waiter?, waiters: [Waiter], inbox: Inbox)
        /// Receiving and detecting; `waiters` wait for the end.
        case running(waiters: [Waiter], inbox: Inbox)
        /// A stop went to the decode stage, which hands over what libzmq already holds and then finishes.
        /// `starter` is still waiting when the stop came before the sockets were bound.
        case draining(starter: Waiter?, waiters: [Waiter], inbox: Inbox)
        /// Nothing more will be detected: the decode stage finished, or a socket failed. The thread applies the
        /// inbox once more, publishes what is left, checkpoints and closes.
        case drained(waiters: [Waiter], inbox: Inbox)
        /// The thread has ended.
        case finished(Result<Void, any Error>)
        /// Only while a method rewrites the state, so that the arrays are not copied.
        case modifying
    }

    private(set) var state = State.starting(starter: nil, waiters: [], inbox: Inbox())

    // MARK: Starting and waiting

    enum StartAction: Sendable {
        /// Start the thread; the starter waits until ``becameReady()`` or ``threadEnded(_:)``.
        case startThread
        /// The pipeline was started, or stopped, already: resume this starter with ``PipelineStartRefused``.
        case refuse(Waiter)
    }

    /// `start()` was called.
    mutating func startRequested(_ starter: Waiter) -> StartAction {
        switch state {
        case .starting(nil, let waiters, let inbox):
            state = .starting(starter: starter, waiters: waiters, inbox: inbox)
            return .startThread
        case .starting, .running, .draining, .drained, .finished:
            return .refuse(starter)
        case .modifying:
            preconditionFailure("invalid state")
        }
    }

    enum ReadyAction: Sendable {
        /// Resume `start()` with success.
        case resumeStarter(Waiter)
        case none
    }

    /// The thread has restored state and bound its sockets.
    mutating func becameReady() -> ReadyAction {
        switch state {
        case .starting(let starter, let waiters, let inbox):
            state = .running(waiters: waiters, inbox: inbox)
            return starter.map(ReadyAction.resumeStarter) ?? .none
        case .draining(let starter, let waiters, let inbox):
            state = .draining(starter: nil, waiters: waiters, inbox: inbox)
            return starter.map(ReadyAction.resumeStarter) ?? .none
        case .running, .drained, .finished:
            return .none
        case .modifying:
            preconditionFailure("invalid state")
        }
    }

    enum WaitAction: Sendable {
        /// Wait for ``threadEnded(_:)``.
        case suspend
        case resume(Result<Void, any Error>)
    }

    /// Someone waits for the end.
    mutating func waitRequested(_ waiter: Waiter) -> WaitAction {
        switch state {
        case .starting(let starter, var waiters, let inbox):
            state = .modifying
            waiters.append(waiter)
            state = .starting(starter: starter, waiters: waiters, inbox: inbox)
        case .running(var waiters, let inbox):
            state = .modifying
            waiters.append(waiter)
            state = .running(waiters: waiters, inbox: inbox)
        case .draining(let starter, var waiters, let inbox):
            state = .modifying
            waiters.append(waiter)
            state = .draining(starter: starter, waiters: waiters, inbox: inbox)
        case .drained(var waiters, let inbox):
            state = .modifying
            waiters.append(waiter)
            state = .drained(waiters: waiters, inbox: inbox)
        case .finished(let result):
            return .resume(result)
        case .modifying:
            preconditionFailure("invalid state")
        }
        return .suspend
    }

    // MARK: Inputs from other threads

    enum StopAction: Sendable {
        /// Tell the decode stage to stop receiving.
        case stopDecoding
        /// The pipeline was never started: it has ended; resume these waiters and reloads.
        case endBeforeStart([Waiter], reloads: [Reload])
        case none
    }

    /// A graceful stop was asked for: the decode stage stops receiving, and the thread detects what it
    /// hands over until it finishes.
    mutating func stopRequested() -> StopAction {
        switch state {
        case .starting(nil, let waiters, let inbox):
            state = .finished(.success(()))
            return .endBeforeStart(waiters, reloads: inbox.reloads)
        case .starting(let starter, let waiters, let inbox):
            state = .draining(starter: starter, waiters: waiters, inbox: inbox)
            return .stopDecoding
        case .running(let waiters, let inbox):
            state = .draining(starter: nil, waiters: waiters, inbox: inbox)
            return .stopDecoding
        case .draining, .drained, .finished:
            return .none
        case .modifying:
            preconditionFailure("invalid state")
        }
    }

    enum ReloadAction: Sendable {
        /// The thread applies it between two batches and resumes its waiter then.
        case applyBetweenBatches
        /// The thread has ended: nothing to apply it to; resume the waiter now.
        case resume(Reload)
    }

    /// A validated configuration is to replace the running one.
    mutating func reloadRequested(_ reload: Reload) -> ReloadAction {
        guard case .finished = state else {
            updateInbox { $0.reloads.append(reload) }
            return .applyBetweenBatches
        }
        return .resume(reload)
    }

    enum OperationalAlertAction: Sendable {
        /// Published with the next batch's alerts.
        case publishWithNextBatch
        /// The thread has ended: it cannot be published.
        case drop
    }

    /// An alert about the daemon itself is to be published.
    mutating func operationalAlertRaised(_ alert: OperationalAlert) -> OperationalAlertAction {
        guard case .finished = state else {
            updateInbox { $0.operationalAlerts.append(alert) }
            return .publishWithNextBatch
        }
        return .drop
    }

    // MARK: Inputs on the detection thread

    /// The thread is between two batches: it takes what the inbox holds, to apply and publish.
    mutating func inboxTaken() -> Inbox {
        var taken = Inbox()
        updateInbox { swap(&$0, &taken) }
        return taken
    }

    enum BatchAction: Sendable {
        case detect
        /// After the end nothing is detected; the hand-off, which ends with its finish, never gets here.
        case discard
    }

    /// The decode stage handed over a batch.
    mutating func batchArrived() -> BatchAction {
        switch state {
        case .starting, .running, .draining: return .detect
        case .drained, .finished: return .discard
        case .modifying: preconditionFailure("invalid state")
        }
    }

    enum CatchupAction: Sendable {
        /// Answer from the journal.
        case answer
        /// The socket is not polled yet, or is closed.
        case ignore
    }

    /// A catch-up client asked for alerts.
    mutating func catchupRequested() -> CatchupAction {
        switch state {
        case .running, .draining, .drained: return .answer
        case .starting, .finished: return .ignore
        case .modifying: preconditionFailure("invalid state")
        }
    }

    enum DecodingFinishedAction: Sendable {
        /// Apply the inbox once more, publish what is left, write the final checkpoint, close.
        case publishRemainingAndCheckpoint
        /// The decode stage failed: close and end with its error.
        case end(any Error)
        case none
    }

    /// The decode stage handed over its last batch: after a stop, or because its socket failed.
    mutating func decodingFinished(_ result: Result<Void, any Error>) -> DecodingFinishedAction {
        switch state {
        case .running(let waiters, let inbox), .draining(nil, let waiters, let inbox):
            state = .drained(waiters: waiters, inbox: inbox)
            switch result {
            case .success: return .publishRemainingAndCheckpoint
            case .failure(let error): return .end(error)
            }
        case .starting, .draining, .drained, .finished:
            // Batches are taken only once ready, and the decode stage finishes once.
            return .none
        case .modifying:
            preconditionFailure("invalid state")
        }
    }

    enum SocketFailureAction: Sendable {
        /// Close everything and end with the error.
        case end(any Error)
        case none
    }

    /// One of the detection thread's own sockets (or its setup) failed.
    mutating func socketFailed(_ error: any Error) -> SocketFailureAction {
        switch state {
        case .running(let waiters, let inbox), .draining(nil, let waiters, let inbox):
            state = .drained(waiters: waiters, inbox: inbox)
            return .end(error)
        case .starting, .draining, .drained:
            // Before ready the starter is still waiting: it learns of the error from `threadEnded`.
            return .end(error)
        case .finished:
            return .none
        case .modifying:
            preconditionFailure("invalid state")
        }
    }

    enum EndAction: Sendable {
        /// Resume every waiter with the result, and every reload still queued (nothing applies it now).
        case resume([Waiter], Result<Void, any Error>, reloads: [Reload])
        case none
    }

    /// The thread has closed its sockets and ended with `result`.
    mutating func threadEnded(_ result: Result<Void, any Error>) -> EndAction {
        switch state {
        case .starting(let starter, let waiters, let inbox), .draining(let starter, let waiters, let inbox):
            state = .finished(result)
            return .resume((starter.map { [$0] } ?? []) + waiters, result, reloads: inbox.reloads)
        case .running(let waiters, let inbox), .drained(let waiters, let inbox):
            state = .finished(result)
            return .resume(waiters, result, reloads: inbox.reloads)
        case .finished:
            return .none
        case .modifying:
            preconditionFailure("invalid state")
        }
    }

    private mutating func updateInbox(_ body: (inout Inbox) -> Void) {
        switch state {
        case .starting(let starter, let waiters, var inbox):
            state = .modifying
            body(&inbox)
            state = .starting(starter: starter, waiters: waiters, inbox: inbox)
        case .running(let waiters, var inbox):
            state = .modifying
            body(&inbox)
            state = .running(waiters: waiters, inbox: inbox)
        case .draining(let starter, let waiters, var inbox):
            state = .modifying
            body(&inbox)
            state = .draining(starter: starter, waiters: waiters, inbox: inbox)
        case .drained(let waiters, var inbox):
            state = .modifying
            body(&inbox)
            state = .drained(waiters: waiters, inbox: inbox)
        case .finished:
            break
        case .modifying:
            preconditionFailure("invalid state")
        }
    }
}

/// `start()` was called on a pipeline that had been started or stopped already.
struct PipelineStartRefused: Error, CustomStringConvertible {
    var description: String { "the detection pipeline starts once, and not once stopped" }
}
