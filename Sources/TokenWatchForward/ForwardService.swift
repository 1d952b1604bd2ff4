import Foundation
import Logging
import ServiceLifecycle
import Synchronization

/// `tokenwatch forward` as a service: takes alerts from the source, records each for every receiver of the
/// ``ForwardPipeline`` and in the cursor, and runs each receiver's deliveries through the retry stage beside it.
///
/// The order per alert makes a restart at any point lose nothing and send nothing twice: each receiver stages
/// the alert (a webhook writes it to `incoming/`, an Alertmanager saves its set), the cursor is saved, and only
/// then each receiver commits it (a webhook queues it; ``ForwardReceiver/recover(handled:)`` finishes that
/// last step after a crash).
package final class ForwardService: Service {
    let store: ForwardStore
    let source: AlertSource
    let pipeline: ForwardPipeline
    let metrics: ForwardMetrics
    let logger: Logger
    /// Called once the cursor is read and the queues recovered (systemd's READY=1).
    let onReady: @Sendable () -> Void
    private let stopping = Atomic<Bool>(false)

    package init(
        store: ForwardStore, source: AlertSource, pipeline: ForwardPipeline, metrics: ForwardMetrics, logger: Logger,
        onReady: @escaping @Sendable () -> Void = {}
    ) {
        self.onReady = onReady
        self.store = store
        self.source = source
        self.pipeline = pipeline
        self.metrics = metrics
        self.logger = logger
    }

    package func run() async throws {
        var cursor = store.loadCursor()
        var recent = Set(cursor.recentIDs)
        for receiver in pipeline.receivers { receiver.recover(handled: recent) }
        let stream = source.alerts()
        onReady()
        try await withThrowingDiscardingTaskGroup { group in
            for receiver in pipeline.receivers { group.addTask { await self.pipeline.retry.run(receiver) } }
            await withGracefulShutdownHandler {
                for await batch in stream.cancelOnGracefulShutdown() {
                    for alert in batch where !recent.contains(alert.id) {
                        await record(alert, cursor: &cursor)
                        recent.insert(alert.id)
                        if recent.count > 2 * ForwardStore.recentLimit { recent = Set(cursor.recentIDs) }
                    }
                }
            } onGracefulShutdown: {
                self.stopping.store(true, ordering: .relaxed)
                self.source.stop()
            }
            source.stop()
            group.cancelAll()
        }
        // The source ends on its own only when its sockets failed: exit with an error, so that systemd
        // (Restart=on-failure) starts the forwarder again.
        if !stopping.load(ordering: .relaxed) && !Task.isCancelled { throw ForwardError.sourceEnded }
    }

    /// Records the alert, retrying while the state directory refuses (a full disk): the source has moved
    /// past it, so giving up would lose it until the next restart.
    private func record(_ alert: ForwardedAlert, cursor: inout ForwardStore.Cursor) async {
        var backoff = Backoff(initial: .milliseconds(100), maximum: .seconds(10))
        while true {
            do {
                try handle(alert, cursor: &cursor)
                return
            } catch {
                logger.error(
                    "cannot record an alert in the state directory; retrying",
                    metadata: ["id": "\(alert.id)", "error": "\(error)"])
                if Task.isCancelled { return }
                try? await Task.sleep(for: backoff.failed())
            }
        }
    }

    private func handle(_ alert: ForwardedAlert, cursor: inout ForwardStore.Cursor) throws {
        let order = cursor.handledCount + 1
        for receiver in pipeline.receivers { try receiver.stage(alert, order: order) }
        var next = cursor
        next.handled(alert)
        try store.save(next)
        cursor = next
        for receiver in pipeline.receivers { try receiver.commit(alert, order: order) }
        metrics.alerts(1)
        logger.debug("forwarded", metadata: ["id": "\(alert.id)", "seq": "\(alert.seq)", "topic": "\(alert.topic)"])
    }
}

/// Why the forwarder stopped on its own.
package enum ForwardError: Error, CustomStringConvertible {
    case sourceEnded

    package var description: String {
        "the alert source stopped (its sockets failed; see the log above): restarting is up to the service manager"
    }
}
