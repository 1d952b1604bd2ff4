import Foundation
import Logging
import Synchronization
import TokenWatchClient
import TokenWatchCore
import ZeroMQ

/// The daemon's alerts in `seq` order, none missing: live from the alert socket, and from the catch-up socket
/// at start, after a per-topic sequence gap, after a reconnect, whenever a live alert skips ahead of the last
/// one handled, and when one at or before it arrives on a connection no catch-up reply has answered yet. Runs on its own thread (ZeroMQ sockets block and belong to one thread) and hands
/// batches over through an `AsyncStream`.
///
/// A `seq` counts in one journal. The catch-up reply names the journal's epoch; when it is not the cursor's
/// (the daemon came back with a new state directory, or without one), the cursor means nothing there: the
/// source logs it, starts from the new journal's oldest alert, and tags what it hands over with the epoch so
/// that the cursor records it.
package final class AlertSource: Sendable {
    package struct Settings: Sendable {
        package var connect: String
        package var catchup: String
        package var topics: [String]
        /// The newest seq already handled (from the cursor); `nil` to start with everything retained.
        package var after: UInt64?
        /// The journal epoch `after` counts in (from the cursor); `nil` to take the daemon's.
        package var epoch: String?
        package var configure: @Sendable (ZMQSocket) throws -> Void

        package init(
            connect: String, catchup: String, topics: [String], after: UInt64?, epoch: String? = nil,
            configure: @escaping @Sendable (ZMQSocket) throws -> Void
        ) {
            self.connect = connect
            self.catchup = catchup
            self.topics = topics
            self.after = after
            self.epoch = epoch
            self.configure = configure
        }
    }

    private let settings: Settings
    private let metrics: ForwardMetrics
    private let logger: Logger
    private let stopped = Atomic<Bool>(false)

    package init(settings: Settings, metrics: ForwardMetrics, logger: Logger) {
        self.settings = settings
        self.metrics = metrics
        self.logger = logger
    }

    /// Starts the reading thread; the stream ends when ``stop()`` is called or the sockets fail.
    package func alerts() -> AsyncStream<[ForwardedAlert]> {
        let (stream, continuation) = AsyncStream.makeStream(of: [ForwardedAlert].self)
        let thread = Thread { [self] in
            do {
                try read(into: continuation)
            } catch {
                logger.error("alert source failed", metadata: ["error": "\(error)"])
            }
            continuation.finish()
        }
        thread.name = "tokenwatch-forward-source"
        thread.start()
        return stream
    }

    package func stop() { stopped.store(true, ordering: .relaxed) }

    private func read(into continuation: AsyncStream<[ForwardedAlert]>.Continuation) throws {
        let context = try ZMQContext()
        let listener = try AlertListener(
            context: context, connect: settings.connect, topics: settings.topics, configure: settings.configure)
        let client =
            settings.catchup.isEmpty
            ? nil : try CatchupClient(context: context, connect: settings.catchup, configure: settings.configure)
        defer {
            listener.close()
            client?.close()
        }
        var position = Position(last: settings.after, epoch: settings.epoch)
        func emit(_ alerts: [ForwardedAlert]) {
            guard !alerts.isEmpty else { return }
            continuation.yield(alerts)
        }
        emit(catchUp(client, at: &position))
        while !stopped.load(ordering: .relaxed) {
            switch try listener.next(timeoutMilliseconds: 200) {
            case .alert(let received, let lost)?:
                // Past the next seq: alerts were missed. At or before the last: a repeat, or the first alerts of
                // a daemon's new journal, which only a catch-up reply's epoch tells apart; one reply on this
                // connection is enough.
                let skipped = position.last.map { received.seq > $0 + 1 } ?? false
                let behind = position.last.map { received.seq <= $0 } ?? false
                if client != nil && (lost > 0 || skipped || (behind && !position.epochChecked)) {
                    emit(catchUp(client, at: &position))
                }
                if position.last.map({ received.seq > $0 }) ?? true, var alert = ForwardedAlert(received) {
                    alert.epoch = position.epoch
                    position.last = received.seq
                    emit([alert])
                }
            case .reconnected?:
                position.epochChecked = false
                emit(catchUp(client, at: &position))
            case .handshakeFailed?:
                logger.error("the daemon refused the security handshake: check the CURVE keys")
            case .malformed(let reason)?:
                logger.warning("malformed message on the alert socket", metadata: ["reason": "\(reason)"])
            case nil:
                continue
            }
        }
    }

    /// Where the source is: the newest seq handled, in which journal.
    private struct Position {
        var last: UInt64?
        var epoch: String?
        /// Whether a catch-up reply on the current connection has named the journal's epoch.
        var epochChecked = false
    }

    /// Everything after the position the daemon still holds, on the subscribed topics; moves the position to the
    /// newest. A reply from another journal epoch, or one that ends before the position, starts again from the
    /// journal's oldest alert.
    private func catchUp(_ client: CatchupClient?, at position: inout Position) -> [ForwardedAlert] {
        guard let client else { return [] }
        metrics.catchup()
        guard let reply = try? client.fetch(since: position.last.map { $0 + 1 } ?? 0) else {
            logger.warning("the catch-up socket did not answer; alerts published meanwhile wait for the next try")
            return []
        }
        position.epochChecked = true
        if let current = reply.epoch, let known = position.epoch, current != known {
            logger.warning(
                "the daemon's journal is new (another epoch): starting from its oldest alert",
                metadata: [
                    "epoch": "\(current)", "cursor_epoch": "\(known)",
                    "cursor": "\(position.last.map(String.init) ?? "none")",
                ])
            position = Position(last: nil, epoch: current)
            return catchUp(client, at: &position)
        }
        if let handled = position.last, let newest = reply.last, newest < handled {
            logger.warning(
                "the daemon's journal ends before the cursor (a new state directory?): starting from its oldest alert",
                metadata: ["cursor": "\(handled)", "journal_last": "\(newest)"])
            position.last = nil
            return catchUp(client, at: &position)
        }
        if let current = reply.epoch { position.epoch = current }
        let fresh = reply.alerts.filter { journaled in position.last.map { journaled.entry.seq > $0 } ?? true }
        if let newest = fresh.map(\.entry.seq).max() { position.last = newest }
        return fresh.filter { AlertListener.matches($0.entry.topic, settings.topics) }.compactMap { journaled in
            var alert = ForwardedAlert(journaled)
            alert?.epoch = position.epoch
            return alert
        }
    }
}
