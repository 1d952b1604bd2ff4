import Testing

@testable import TokenWatchRuntime

/// What other threads ask of the pipeline (stop, reload, operational alerts) and how the detection thread
/// takes the inbox, in every state.
@Suite("Pipeline state machine: stop, reload and the inbox")
struct PipelineStateMachineInboxTests {
    // MARK: stopRequested

    @Test func testStopRequested_whenStartingNotStarted() {
        var machine = Machine()
        _ = machine.waitRequested(2)
        _ = machine.reloadRequested("r1")
        let action = machine.stopRequested()
        guard case .endBeforeStart(let waiters, let reloads) = action else {
            Issue.record("a pipeline stopped before it started ends at once, not \(action)")
            return
        }
        #expect(waiters == [2] && reloads == ["r1"])
        #expect(machine.summary == "finished(success)")
        let start = machine.startRequested(1)
        #expect(describe(start) == "refuse(1)")
    }

    @Test func testStopRequested_whenStarting() {
        var machine = Fixtures.starting()
        let action = machine.stopRequested()
        #expect(describe(action) == "stopDecoding")
        #expect(machine.summary == #"draining(starter: 1, waiters: [2], reloads: ["r1"], alerts: [])"#)
    }

    @Test func testStopRequested_whenRunning() {
        var machine = Fixtures.running()
        let action = machine.stopRequested()
        #expect(describe(action) == "stopDecoding")
        #expect(machine.summary == #"draining(starter: none, waiters: [2], reloads: ["r1"], alerts: [])"#)
    }

    @Test func testStopRequested_whenDraining() {
        var machine = Fixtures.draining()
        let action = machine.stopRequested()
        #expect(describe(action) == "none")
        #expect(machine.summary == #"draining(starter: none, waiters: [2], reloads: ["r1"], alerts: [])"#)
    }

    @Test func testStopRequested_whenDrained() {
        var machine = Fixtures.drained()
        let action = machine.stopRequested()
        #expect(describe(action) == "none")
        #expect(machine.summary == #"drained(waiters: [2], reloads: ["r1"], alerts: [])"#)
    }

    @Test func testStopRequested_whenFinished() {
        var machine = Fixtures.finished()
        let action = machine.stopRequested()
        #expect(describe(action) == "none")
        #expect(machine.summary == "finished(success)")
    }

    // MARK: reloadRequested

    @Test func testReloadRequested_whenStarting() {
        var machine = Fixtures.starting()
        let action = machine.reloadRequested("r2")
        #expect(describe(action) == "applyBetweenBatches")
        #expect(machine.summary == #"starting(starter: 1, waiters: [2], reloads: ["r1", "r2"], alerts: [])"#)
    }

    @Test func testReloadRequested_whenRunning() {
        var machine = Fixtures.running()
        let action = machine.reloadRequested("r2")
        #expect(describe(action) == "applyBetweenBatches")
        #expect(machine.summary == #"running(waiters: [2], reloads: ["r1", "r2"], alerts: [])"#)
    }

    @Test func testReloadRequested_whenDraining() {
        var machine = Fixtures.draining()
        let action = machine.reloadRequested("r2")
        #expect(describe(action) == "applyBetweenBatches")
        #expect(machine.summary == #"draining(starter: none, waiters: [2], reloads: ["r1", "r2"], alerts: [])"#)
    }

    @Test func testReloadRequested_whenDrained() {
        var machine = Fixtures.drained()
        let action = machine.reloadRequested("r2")
        #expect(describe(action) == "applyBetweenBatches")
        #expect(machine.summary == #"drained(waiters: [2], reloads: ["r1", "r2"], alerts: [])"#)
    }

    @Test func testReloadRequested_whenFinished() {
        var machine = Fixtures.finished()
        let action = machine.reloadRequested("r2")
        #expect(describe(action) == #"resume("r2")"#)
        #expect(machine.summary == "finished(success)")
    }

    // MARK: operationalAlertRaised

    @Test func testOperationalAlertRaised_whenStarting() {
        var machine = Fixtures.starting()
        let action = machine.operationalAlertRaised(Fixtures.alert)
        #expect(describe(action) == "publishWithNextBatch")
        #expect(
            machine.summary
                == #"starting(starter: 1, waiters: [2], reloads: ["r1"], alerts: ["config_reload_failed"])"#)
    }

    @Test func testOperationalAlertRaised_whenRunning() {
        var machine = Fixtures.running()
        let action = machine.operationalAlertRaised(Fixtures.alert)
        #expect(describe(action) == "publishWithNextBatch")
        #expect(machine.summary == #"running(waiters: [2], reloads: ["r1"], alerts: ["config_reload_failed"])"#)
    }

    @Test func testOperationalAlertRaised_whenDraining() {
        var machine = Fixtures.draining()
        let action = machine.operationalAlertRaised(Fixtures.alert)
        #expect(describe(action) == "publishWithNextBatch")
        #expect(
            machine.summary
                == #"draining(starter: none, waiters: [2], reloads: ["r1"], alerts: ["config_reload_failed"])"#)
    }

    @Test func testOperationalAlertRaised_whenDrained() {
        var machine = Fixtures.drained()
        let action = machine.operationalAlertRaised(Fixtures.alert)
        #expect(describe(action) == "publishWithNextBatch")
        #expect(machine.summary == #"drained(waiters: [2], reloads: ["r1"], alerts: ["config_reload_failed"])"#)
    }

    @Test func testOperationalAlertRaised_whenFinished() {
        var machine = Fixtures.finished()
        let action = machine.operationalAlertRaised(Fixtures.alert)
        #expect(describe(action) == "drop")
        #expect(machine.summary == "finished(success)")
    }

    // MARK: inboxTaken

    @Test func testInboxTaken_whenStarting() {
        var machine = Fixtures.starting()
        let inbox = machine.inboxTaken()
        #expect(inbox.reloads == ["r1"])
        #expect(machine.summary == "starting(starter: 1, waiters: [2], reloads: [], alerts: [])")
    }

    @Test func testInboxTaken_whenRunning() {
        var machine = Fixtures.running()
        _ = machine.operationalAlertRaised(Fixtures.alert)
        let inbox = machine.inboxTaken()
        #expect(inbox.reloads == ["r1"] && inbox.operationalAlerts.map(\.name) == ["config_reload_failed"])
        #expect(machine.summary == "running(waiters: [2], reloads: [], alerts: [])")
    }

    @Test func testInboxTaken_whenDraining() {
        var machine = Fixtures.draining()
        let inbox = machine.inboxTaken()
        #expect(inbox.reloads == ["r1"])
        #expect(machine.summary == "draining(starter: none, waiters: [2], reloads: [], alerts: [])")
    }

    @Test func testInboxTaken_whenDrained() {
        var machine = Fixtures.drained()
        let inbox = machine.inboxTaken()
        #expect(inbox.reloads == ["r1"])
        #expect(machine.summary == "drained(waiters: [2], reloads: [], alerts: [])")
    }

    @Test func testInboxTaken_whenFinished() {
        var machine = Fixtures.finished()
        let inbox = machine.inboxTaken()
        #expect(inbox.reloads.isEmpty && inbox.operationalAlerts.isEmpty)
        #expect(machine.summary == "finished(success)")
    }
}
