import Testing

@testable import TokenWatchRuntime

/// `start()`, readiness and waiting for the end, in every state.
@Suite("Pipeline state machine: start and wait")
struct PipelineStateMachineStartTests {
    // MARK: startRequested

    @Test func testStartRequested_whenStarting() {
        var machine = Machine()
        let first = machine.startRequested(1)
        let second = machine.startRequested(3)
        #expect(describe(first) == "startThread")
        #expect(describe(second) == "refuse(3)")
        #expect(machine.summary == "starting(starter: 1, waiters: [], reloads: [], alerts: [])")
    }

    @Test func testStartRequested_whenRunning() {
        var machine = Fixtures.running()
        let action = machine.startRequested(3)
        #expect(describe(action) == "refuse(3)")
        #expect(machine.summary == #"running(waiters: [2], reloads: ["r1"], alerts: [])"#)
    }

    @Test func testStartRequested_whenDraining() {
        var machine = Fixtures.draining()
        let action = machine.startRequested(3)
        #expect(describe(action) == "refuse(3)")
        #expect(machine.summary == #"draining(starter: none, waiters: [2], reloads: ["r1"], alerts: [])"#)
    }

    @Test func testStartRequested_whenDrained() {
        var machine = Fixtures.drained()
        let action = machine.startRequested(3)
        #expect(describe(action) == "refuse(3)")
        #expect(machine.summary == #"drained(waiters: [2], reloads: ["r1"], alerts: [])"#)
    }

    @Test func testStartRequested_whenFinished() {
        var machine = Fixtures.finished()
        let action = machine.startRequested(3)
        #expect(describe(action) == "refuse(3)")
        #expect(machine.summary == "finished(success)")
    }

    // MARK: becameReady

    @Test func testBecameReady_whenStarting() {
        var machine = Fixtures.starting()
        let action = machine.becameReady()
        #expect(describe(action) == "resumeStarter(1)")
        #expect(machine.summary == #"running(waiters: [2], reloads: ["r1"], alerts: [])"#)
    }

    @Test func testBecameReady_whenRunning() {
        var machine = Fixtures.running()
        let action = machine.becameReady()
        #expect(describe(action) == "none")
        #expect(machine.summary == #"running(waiters: [2], reloads: ["r1"], alerts: [])"#)
    }

    @Test func testBecameReady_whenDrainingBeforeReady() {
        var machine = Fixtures.drainingBeforeReady()
        let first = machine.becameReady()
        let second = machine.becameReady()
        #expect(describe(first) == "resumeStarter(1)")
        #expect(describe(second) == "none")
        #expect(machine.summary == #"draining(starter: none, waiters: [2], reloads: ["r1"], alerts: [])"#)
    }

    @Test func testBecameReady_whenDrained() {
        var machine = Fixtures.drained()
        let action = machine.becameReady()
        #expect(describe(action) == "none")
        #expect(machine.summary == #"drained(waiters: [2], reloads: ["r1"], alerts: [])"#)
    }

    @Test func testBecameReady_whenFinished() {
        var machine = Fixtures.finished()
        let action = machine.becameReady()
        #expect(describe(action) == "none")
        #expect(machine.summary == "finished(success)")
    }

    // MARK: waitRequested

    @Test func testWaitRequested_whenStarting() {
        var machine = Fixtures.starting()
        let action = machine.waitRequested(3)
        #expect(describe(action) == "suspend")
        #expect(machine.summary == #"starting(starter: 1, waiters: [2, 3], reloads: ["r1"], alerts: [])"#)
    }

    @Test func testWaitRequested_whenRunning() {
        var machine = Fixtures.running()
        let action = machine.waitRequested(3)
        #expect(describe(action) == "suspend")
        #expect(machine.summary == #"running(waiters: [2, 3], reloads: ["r1"], alerts: [])"#)
    }

    @Test func testWaitRequested_whenDraining() {
        var machine = Fixtures.drainingBeforeReady()
        let action = machine.waitRequested(3)
        #expect(describe(action) == "suspend")
        #expect(machine.summary == #"draining(starter: 1, waiters: [2, 3], reloads: ["r1"], alerts: [])"#)
    }

    @Test func testWaitRequested_whenDrained() {
        var machine = Fixtures.drained()
        let action = machine.waitRequested(3)
        #expect(describe(action) == "suspend")
        #expect(machine.summary == #"drained(waiters: [2, 3], reloads: ["r1"], alerts: [])"#)
    }

    @Test func testWaitRequested_whenFinished() {
        var failed = Fixtures.drained()
        _ = failed.threadEnded(.failure(SocketFailure()))
        guard case .resume(.failure(let error)) = failed.waitRequested(3) else {
            Issue.record("a waiter after the end is resumed at once with the result")
            return
        }
        #expect(error is SocketFailure)
        #expect(failed.summary == "finished(failure: SocketFailure)")
    }
}
