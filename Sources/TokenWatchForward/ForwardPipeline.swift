import Logging
import TokenWatchCore

/// The forwarder's stages, assembled in one place: the receivers the configuration asks for (``ForwardReceivers``),
/// each alert recorded for every one of them around the cursor (``ForwardService``), and each receiver's
/// deliveries through the one ``RetryStage``, which shares an HTTP client and the dead letters.
package struct ForwardPipeline: Sendable {
    package let receivers: [any ForwardReceiver]
    package let retry: RetryStage
    let delivery: HTTPDelivery

    /// Sets up every configured receiver; `ReceiverSetupError` when one cannot be.
    package static func build(
        _ configuration: ForwardConfiguration, store: ForwardStore, metrics: ForwardMetrics, logger: Logger
    ) throws -> ForwardPipeline {
        let receivers = try ForwardReceivers.configured(ReceiverSetup(configuration: configuration, store: store))
        let deadLetters = try DeadLetters(directory: store.deadLetterDirectory, limit: configuration.maxDeadLetters)
        let delivery = HTTPDelivery(timeout: configuration.timeout)
        let retry = RetryStage(
            delivery: delivery, settings: ReceiverSettings(configuration), metrics: metrics, deadLetters: deadLetters,
            logger: logger)
        return ForwardPipeline(receivers: receivers, retry: retry, delivery: delivery)
    }

    /// Releases the HTTP client, once the deliveries have stopped.
    package func shutdown() async { await delivery.shutdown() }
}
