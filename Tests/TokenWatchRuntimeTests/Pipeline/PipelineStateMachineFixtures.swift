import Foundation
import TokenWatchCore

@testable import TokenWatchRuntime

/// The lifecycle with integers for waiters (1 is `start()`, 2 waits for the end) and strings for reloads,
/// brought into each state by the inputs that lead there.
typealias Machine = PipelineStateMachine<Int, String>

struct SocketFailure: Error, CustomStringConvertible {
    var description: String { "SocketFailure" }
}

enum Fixtures {
    static let alert = OperationalAlert(
        name: "config_reload_failed", severity: .critical, summary: "refused", details: [],
        time: Date(timeIntervalSince1970: 1_800_000_000))

    /// Started, with one waiter for the end and one reload queued before the sockets were bound.
    static func starting() -> Machine {
        var machine = Machine()
        _ = machine.startRequested(1)
        _ = machine.waitRequested(2)
        _ = machine.reloadRequested("r1")
        return machine
    }

    static func running() -> Machine {
        var machine = starting()
        _ = machine.becameReady()
        return machine
    }

    static func draining() -> Machine {
        var machine = running()
        _ = machine.stopRequested()
        return machine
    }

    /// A stop that came before the sockets were bound: `start()` still waits.
    static func drainingBeforeReady() -> Machine {
        var machine = starting()
        _ = machine.stopRequested()
        return machine
    }

    static func drained() -> Machine {
        var machine = draining()
        _ = machine.decodingFinished(.success(()))
        return machine
    }

    static func machine(in state: String) -> Machine {
        switch state {
        case "starting": starting()
        case "running": running()
        case "draining": draining()
        case "drained": drained()
        default: finished()
        }
    }

    static func finished() -> Machine {
        var machine = drained()
        _ = machine.threadEnded(.success(()))
        return machine
    }
}

extension Machine {
    /// The state in a line: its name, who waits, and what the inbox holds.
    var summary: String {
        func inbox(_ inbox: Inbox) -> String {
            "reloads: \(inbox.reloads), alerts: \(inbox.operationalAlerts.map(\.name))"
        }
        switch state {
        case .starting(let starter, let waiters, let box):
            return "starting(starter: \(starter.map(String.init) ?? "none"), waiters: \(waiters), \(inbox(box)))"
        case .running(let waiters, let box):
            return "running(waiters: \(waiters), \(inbox(box)))"
        case .draining(let starter, let waiters, let box):
            return "draining(starter: \(starter.map(String.init) ?? "none"), waiters: \(waiters), \(inbox(box)))"
        case .drained(let waiters, let box):
            return "drained(waiters: \(waiters), \(inbox(box)))"
        case .finished(.success):
            return "finished(success)"
        case .finished(.failure(let error)):
            return "finished(failure: \(error))"
        case .modifying:
            return "modifying"
        }
    }
}

/// An action as a line, to compare with the expected one: `resumeStarter(1)`, `end(SocketFailure)`.
func describe(_ action: Any) -> String {
    String(describing: action)
}
