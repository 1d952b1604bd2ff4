import Foundation
import TokenWatchCore

extension WebhookReceiver {
    /// One receiver per `forward.webhooks` entry (`webhook-<index>`), its queue in `webhooks/<hash of URL>/` of
    /// the state directory, its deliveries signed with the bytes of its `secret_file` when it names one.
    package static func configured(
        _ section: WebhookConfiguration, setup: ReceiverSetup
    ) throws(ReceiverSetupError) -> [any ForwardReceiver] {
        var receivers: [any ForwardReceiver] = []
        for (index, webhook) in section.webhooks.enumerated() {
            var key: [UInt8]?
            if !webhook.secretFile.isEmpty {
                guard let read = WebhookSignature.key(file: secretPath(webhook.secretFile)) else {
                    throw ReceiverSetupError(
                        "cannot read a key from \(webhook.secretFile) (forward.webhooks[\(index)].secret_file): "
                            + "missing, unreadable or empty")
                }
                key = read
            }
            let queue: WebhookQueue
            do {
                queue = try WebhookQueue(directory: setup.store.receiverDirectory("webhooks", url: webhook.url))
            } catch {
                throw ReceiverSetupError("cannot make the queue of forward.webhooks[\(index)]: \(error)")
            }
            receivers.append(WebhookReceiver(name: "webhook-\(index)", url: webhook.url, key: key, queue: queue))
        }
        return receivers
    }

    /// A relative `secret_file` names a systemd credential (`LoadCredential=`) when the service has any: the
    /// key file can then stay readable by root only, whatever user the service runs as.
    static func secretPath(_ path: String) -> String {
        guard !path.hasPrefix("/"), let directory = ProcessInfo.processInfo.environment["CREDENTIALS_DIRECTORY"]
        else { return path }
        return directory + "/" + path
    }
}
