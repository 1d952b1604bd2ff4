import Testing

@testable import TokenWatchRuntime

/// Every input of the completion state machine in every state, with plain integers as waiters.
@Suite("Pipeline completion state machine")
struct PipelineCompletionTests {
    struct Failure: Error, Equatable {}

    @Test func readyResumesTheStarterOnceAndWaitersOnlyAtTheEnd() throws {
        var completion = PipelineCompletion<Int>()
        completion.starting(ready: 1)
        let waited = completion.wait(2)
        #expect(waited.isSuspend)
        do {
            let outcome = completion.becameReady()
            #expect(outcome == 1)
        }
        do {
            let outcome = completion.becameReady()
            #expect(outcome == nil)
        }
        let waitedAgain = completion.wait(3)
        #expect(waitedAgain.isSuspend)
        do {
            let outcome = completion.finished(.success(()))
            #expect(outcome == [2, 3])
        }
    }

    @Test func aThreadThatFailsBeforeItIsReadyReportsToTheStarterAndTheWaiters() {
        var completion = PipelineCompletion<Int>()
        completion.starting(ready: 1)
        let waited = completion.wait(2)
        #expect(waited.isSuspend)
        do {
            let outcome = completion.finished(.failure(Failure()))
            #expect(outcome == [1, 2])
        }
        do {
            let outcome = completion.becameReady()
            #expect(outcome == nil)
        }
    }

    @Test func aWaiterAfterTheEndIsResumedAtOnceWithTheResult() {
        var completion = PipelineCompletion<Int>()
        completion.starting(ready: 1)
        _ = completion.becameReady()
        do {
            let outcome = completion.finished(.failure(Failure()))
            #expect(outcome == [])
        }
        guard case .resume(.failure(let error)) = completion.wait(4) else {
            Issue.record("expected to resume at once with the failure")
            return
        }
        #expect(error is Failure)
    }

    @Test func theEndIsReportedOnce() {
        var completion = PipelineCompletion<Int>()
        completion.starting(ready: 1)
        let waited = completion.wait(2)
        #expect(waited.isSuspend)
        do {
            let outcome = completion.finished(.success(()))
            #expect(outcome == [1, 2])
        }
        do {
            let outcome = completion.finished(.failure(Failure()))
            #expect(outcome == [])
        }
        guard case .resume(.success) = completion.wait(3) else {
            Issue.record("the first result stands")
            return
        }
    }
}

extension PipelineCompletion.WaitAction {
    var isSuspend: Bool {
        if case .suspend = self { true } else { false }
    }
}
