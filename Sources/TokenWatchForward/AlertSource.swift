import Foundation
import Logging
import Synchronization
import TokenWatchClient
import TokenWatchCore
import ZeroMQ

/// The daemon's alerts in `seq` order, none missing: live from the alert socket, and from the catch-up socket
/// at start, after a per-topic sequence gap, after a reconnect, and whenever a live alert skips ahead of the
/// last one handled. Runs on its own thread (ZeroMQ sockets block and belong to one thread) and hands
/// batches over through an `AsyncStream`.
package final class AlertSource: Sendable {
    package struct Settings: Sendable {
        package var connect: String
        package var catchup: String
        package var topics: [String]
        /// The newest seq already handled (from the cursor); `nil` to start with everything retained.
        package var after: UInt64?
        package var configure: @Sendable (ZMQSocket) throws -> Void

        package init(
            connect: String, catchup: String, topics: [String], after: UInt64?,
            configure: @escaping @Sendable (ZMQSocket) throws -> Void
        ) {
            self.connect = connect
            self.catchup = catchup
            self.topics = topics
            self.after = after
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
        var last = settings.after
        func emit(_ alerts: [ForwardedAlert]) {
            guard !alerts.isEmpty else { return }
            continuation.yield(alerts)
        }
        emit(catchUp(client, after: &last))
        while !stopped.load(ordering: .relaxed) {
            switch try listener.next(timeoutMilliseconds: 200) {
            case .alert(let received, let lost)?:
                let skipped = last.map { received.seq > $0 + 1 } ?? false
                if client != nil && (lost > 0 || skipped) { emit(catchUp(client, after: &last)) }
                if last.map({ received.seq > $0 }) ?? true,
                    let alert = ForwardedAlert(seq: received.seq, topic: received.topic, payload: received.payload)
                {
                    last = received.seq
                    emit([alert])
                }
            case .reconnected?:
                emit(catchUp(client, after: &last))
            case .handshakeFailed?:
                logger.error("the daemon refused the security handshake: check the CURVE keys")
            case .malformed(let reason)?:
                logger.warning("malformed message on the alert socket", metadata: ["reason": "\(reason)"])
            case nil:
                continue
            }
        }
    }

    /// Everything after `last` the daemon still holds, on the subscribed topics; moves `last` to the newest.
    private func catchUp(_ client: CatchupClient?, after last: inout UInt64?) -> [ForwardedAlert] {
        guard let client else { return [] }
        metrics.catchup()
        guard let reply = try? client.fetch(since: last.map { $0 + 1 } ?? 0) else {
            logger.warning("the catch-up socket did not answer; alerts published meanwhile wait for the next try")
            return []
        }
        if let handled = last, let newest = reply.last, newest < handled {
            logger.warning(
                "the daemon's journal ends before the cursor (a new state directory?): starting from its oldest alert",
                metadata: ["cursor": "\(handled)", "journal_last": "\(newest)"])
            last = nil
            return catchUp(client, after: &last)
        }
        let fresh = reply.entries.filter { entry in last.map { entry.seq > $0 } ?? true }
        if let newest = fresh.map(\.seq).max() { last = newest }
        return fresh.filter { AlertListener.matches($0.topic, settings.topics) }.compactMap(ForwardedAlert.init)
    }
}
