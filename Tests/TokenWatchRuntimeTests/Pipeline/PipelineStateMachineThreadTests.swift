import Testing

@testable import TokenWatchRuntime

/// What happens on the detection thread (a batch, a catch-up request, the decode stage's end, a socket that
/// fails, the thread's end), in every state.
@Suite("Pipeline state machine: the detection thread's inputs")
struct PipelineStateMachineThreadTests {
    // MARK: batchArrived

    @Test(arguments: ["starting", "running", "draining"])
    func testBatchArrived_whenStartingRunningOrDraining(_ state: String) {
        let fixture = Fixtures.machine(in: state)
        var machine = fixture
        let action = machine.batchArrived()
        #expect(describe(action) == "detect")
        #expect(machine.summary == fixture.summary)
    }

    @Test func testBatchArrived_whenDrained() {
        var machine = Fixtures.drained()
        let action = machine.batchArrived()
        #expect(describe(action) == "discard")
        #expect(machine.summary == #"drained(waiters: [2], reloads: ["r1"], alerts: [])"#)
    }

    @Test func testBatchArrived_whenFinished() {
        var machine = Fixtures.finished()
        let action = machine.batchArrived()
        #expect(describe(action) == "discard")
        #expect(machine.summary == "finished(success)")
    }

    // MARK: catchupRequested

    @Test func testCatchupRequested_whenStarting() {
        var machine = Fixtures.starting()
        let action = machine.catchupRequested()
        #expect(describe(action) == "ignore")
    }

    @Test(arguments: ["running", "draining", "drained"])
    func testCatchupRequested_whenRunningDrainingOrDrained(_ state: String) {
        let fixture = Fixtures.machine(in: state)
        var machine = fixture
        let action = machine.catchupRequested()
        #expect(describe(action) == "answer")
        #expect(machine.summary == fixture.summary)
    }

    @Test func testCatchupRequested_whenFinished() {
        var machine = Fixtures.finished()
        let action = machine.catchupRequested()
        #expect(describe(action) == "ignore")
    }

    // MARK: decodingFinished

    @Test func testDecodingFinished_whenStarting() {
        var machine = Fixtures.starting()
        #expect(describe(machine.decodingFinished(.success(()))) == "none")
        #expect(machine.summary == #"starting(starter: 1, waiters: [2], reloads: ["r1"], alerts: [])"#)
    }

    @Test func testDecodingFinished_whenRunning() {
        // The decode stage's socket failed without a stop.
        var machine = Fixtures.running()
        #expect(describe(machine.decodingFinished(.failure(SocketFailure()))) == "end(SocketFailure)")
        #expect(machine.summary == #"drained(waiters: [2], reloads: ["r1"], alerts: [])"#)
    }

    @Test func testDecodingFinished_whenDraining() {
        var machine = Fixtures.draining()
        #expect(describe(machine.decodingFinished(.success(()))) == "publishRemainingAndCheckpoint")
        #expect(machine.summary == #"drained(waiters: [2], reloads: ["r1"], alerts: [])"#)
    }

    @Test func testDecodingFinished_whenDrainingBeforeReady() {
        var machine = Fixtures.drainingBeforeReady()
        #expect(describe(machine.decodingFinished(.success(()))) == "none")
        #expect(machine.summary == #"draining(starter: 1, waiters: [2], reloads: ["r1"], alerts: [])"#)
    }

    @Test func testDecodingFinished_whenDrained() {
        var machine = Fixtures.drained()
        #expect(describe(machine.decodingFinished(.success(()))) == "none")
        #expect(machine.summary == #"drained(waiters: [2], reloads: ["r1"], alerts: [])"#)
    }

    @Test func testDecodingFinished_whenFinished() {
        var machine = Fixtures.finished()
        #expect(describe(machine.decodingFinished(.success(()))) == "none")
        #expect(machine.summary == "finished(success)")
    }

    // MARK: socketFailed

    @Test func testSocketFailed_whenStarting() {
        var machine = Fixtures.starting()
        let action = machine.socketFailed(SocketFailure())
        #expect(describe(action) == "end(SocketFailure)")
        #expect(machine.summary == #"starting(starter: 1, waiters: [2], reloads: ["r1"], alerts: [])"#)
    }

    @Test func testSocketFailed_whenRunning() {
        var machine = Fixtures.running()
        let action = machine.socketFailed(SocketFailure())
        #expect(describe(action) == "end(SocketFailure)")
        #expect(machine.summary == #"drained(waiters: [2], reloads: ["r1"], alerts: [])"#)
    }

    @Test func testSocketFailed_whenDraining() {
        var machine = Fixtures.draining()
        let action = machine.socketFailed(SocketFailure())
        #expect(describe(action) == "end(SocketFailure)")
        #expect(machine.summary == #"drained(waiters: [2], reloads: ["r1"], alerts: [])"#)
    }

    @Test func testSocketFailed_whenDrained() {
        var machine = Fixtures.drained()
        let action = machine.socketFailed(SocketFailure())
        #expect(describe(action) == "end(SocketFailure)")
        #expect(machine.summary == #"drained(waiters: [2], reloads: ["r1"], alerts: [])"#)
    }

    @Test func testSocketFailed_whenFinished() {
        var machine = Fixtures.finished()
        let action = machine.socketFailed(SocketFailure())
        #expect(describe(action) == "none")
        #expect(machine.summary == "finished(success)")
    }

    // MARK: threadEnded

    @Test func testThreadEnded_whenStarting() {
        // The setup failed (a socket that cannot be bound): `start()` and the waiter learn why.
        var machine = Fixtures.starting()
        let action = machine.threadEnded(.failure(SocketFailure()))
        guard case .resume(let waiters, .failure(let error), let reloads) = action else {
            Issue.record("expected every waiter resumed with the failure, not \(action)")
            return
        }
        #expect(waiters == [1, 2] && reloads == ["r1"] && error is SocketFailure)
        #expect(machine.summary == "finished(failure: SocketFailure)")
    }

    @Test func testThreadEnded_whenRunning() {
        var machine = Fixtures.running()
        let action = machine.threadEnded(.failure(SocketFailure()))
        guard case .resume(let waiters, .failure, let reloads) = action else {
            Issue.record("expected the waiter resumed with the failure, not \(action)")
            return
        }
        #expect(waiters == [2] && reloads == ["r1"])
        #expect(machine.summary == "finished(failure: SocketFailure)")
    }

    @Test func testThreadEnded_whenDraining() {
        // A socket of the detection thread failed while it drained.
        var machine = Fixtures.draining()
        let action = machine.threadEnded(.failure(SocketFailure()))
        guard case .resume(let waiters, .failure, let reloads) = action else {
            Issue.record("expected the waiter resumed with the failure, not \(action)")
            return
        }
        #expect(waiters == [2] && reloads == ["r1"])
        #expect(machine.summary == "finished(failure: SocketFailure)")
    }

    @Test func testThreadEnded_whenDrainingBeforeReady() {
        var machine = Fixtures.drainingBeforeReady()
        let action = machine.threadEnded(.success(()))
        guard case .resume(let waiters, .success, let reloads) = action else {
            Issue.record("expected the starter and the waiter resumed, not \(action)")
            return
        }
        #expect(waiters == [1, 2] && reloads == ["r1"])
        #expect(machine.summary == "finished(success)")
    }

    @Test func testThreadEnded_whenDrained() {
        var machine = Fixtures.drained()
        _ = machine.inboxTaken()
        _ = machine.reloadRequested("r2")
        let action = machine.threadEnded(.success(()))
        guard case .resume(let waiters, .success, let reloads) = action else {
            Issue.record("expected the waiter resumed with success, not \(action)")
            return
        }
        // A reload that came after the last look at the inbox has nothing left to apply to.
        #expect(waiters == [2] && reloads == ["r2"])
        #expect(machine.summary == "finished(success)")
    }

    @Test func testThreadEnded_whenFinished() {
        var machine = Fixtures.finished()
        #expect(describe(machine.threadEnded(.failure(SocketFailure()))) == "none")
        #expect(machine.summary == "finished(success)")
    }
}
