import TokenWatchCore

/// A kind of receiver `forward` delivers to (a webhook, an Alertmanager), as Alertmanager's `Notifier` is:
/// it keeps what it must of each alert, and makes one attempt at a time at sending what is due. Waiting,
/// backing off, counting and dead-lettering belong to the ``RetryStage`` that all receivers share; which kinds
/// exist, and in what order alerts are recorded for them, to ``ForwardReceivers``.
///
/// Recording is two steps around the cursor, so that a restart at any point loses nothing and sends nothing
/// twice: ``stage(_:order:)`` before the cursor moves past the alert, ``commit(_:order:)`` after, and
/// ``recover(handled:)`` at start for what a crash left between the two.
package protocol ForwardReceiver: Sendable {
    /// The kind's keys in the `forward` section, declared, read and printed beside it.
    associatedtype Section: ForwardReceiverSection

    /// The receivers of this kind that its section asks for (none when it names none).
    static func configured(_ section: Section, setup: ReceiverSetup) throws(ReceiverSetupError) -> [any ForwardReceiver]

    /// `webhook-0`: the kind and its position in the configuration, never the URL (it may hold a secret). Names
    /// the receiver in metrics, logs and dead letters.
    var name: String { get }

    /// Records an alert, durably, before the cursor moves past it. `order` counts the alerts handled.
    func stage(_ alert: ForwardedAlert, order: UInt64) throws

    /// The cursor now records the alert.
    func commit(_ alert: ForwardedAlert, order: UInt64) throws

    /// At start, with the ids of the alerts the cursor records: finishes what a crash left staged.
    func recover(handled: Set<String>)

    /// One attempt at what is due, through `channel` (which counts each request and keeps what is given up).
    func notify(_ channel: ReceiverChannel) async -> NotifyResult
}

extension ForwardReceiver {
    package func commit(_ alert: ForwardedAlert, order: UInt64) throws {}

    package func recover(handled: Set<String>) {}
}

/// What one attempt of a receiver came to, which decides what the ``RetryStage`` does next.
package enum NotifyResult: Sendable, Equatable {
    /// Nothing was due: look again after ``ReceiverSettings/idlePoll``.
    case idle
    /// What was due went out: the backoff starts again from its first wait, and the next attempt follows.
    case delivered
    /// What was due was given up (dead-lettered through the channel): the next attempt follows, the backoff
    /// as it was.
    case gaveUp
    /// A failure worth retrying: the stage logs `message` with `metadata` and waits, backing off, before the
    /// next attempt.
    case retry(message: String, metadata: [String: String])
}
