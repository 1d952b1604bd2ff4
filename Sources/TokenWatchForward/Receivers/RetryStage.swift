import Logging

/// The delivery loop every receiver shares, as Alertmanager's `RetryStage` is: attempt, and after a failure
/// worth retrying wait (doubling from `initial_backoff` up to `max_backoff`) and attempt again; what a
/// receiver gives up goes to the dead letters through its ``ReceiverChannel``.
package struct RetryStage: Sendable {
    let delivery: HTTPDelivery
    let settings: ReceiverSettings
    let metrics: ForwardMetrics
    let deadLetters: DeadLetters
    let logger: Logger

    package init(
        delivery: HTTPDelivery, settings: ReceiverSettings, metrics: ForwardMetrics, deadLetters: DeadLetters,
        logger: Logger
    ) {
        self.delivery = delivery
        self.settings = settings
        self.metrics = metrics
        self.deadLetters = deadLetters
        self.logger = logger
    }

    /// The channel a receiver's attempts go through.
    package func channel(for receiver: some ForwardReceiver) -> ReceiverChannel {
        ReceiverChannel(
            receiver: receiver.name, settings: settings, metrics: metrics, delivery: delivery,
            deadLetters: deadLetters, logger: logger)
    }

    /// Delivers for `receiver` until the task is cancelled.
    package func run(_ receiver: some ForwardReceiver) async {
        let channel = channel(for: receiver)
        var backoff = Backoff(initial: settings.initialBackoff, maximum: settings.maxBackoff)
        while !Task.isCancelled {
            switch await receiver.notify(channel) {
            case .idle:
                try? await Task.sleep(for: ReceiverSettings.idlePoll)
            case .delivered:
                backoff.succeeded()
            case .gaveUp:
                continue
            case .retry(let message, let metadata):
                let wait = backoff.failed()
                var fields: Logger.Metadata = ["receiver": "\(receiver.name)", "retry_in": "\(wait)"]
                for (key, value) in metadata { fields[key] = "\(value)" }
                logger.warning("\(message)", metadata: fields)
                try? await Task.sleep(for: wait)
            }
        }
    }
}
