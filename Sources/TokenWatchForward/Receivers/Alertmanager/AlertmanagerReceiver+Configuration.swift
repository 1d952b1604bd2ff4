extension AlertmanagerReceiver {
    /// One receiver per `forward.alertmanagers` URL (`alertmanager-<index>`), its open incidents kept in
    /// `alertmanager/<hash of URL>/alerts.json` of the state directory.
    package static func configured(
        _ section: AlertmanagerConfiguration, setup: ReceiverSetup
    ) throws(ReceiverSetupError) -> [any ForwardReceiver] {
        var receivers: [any ForwardReceiver] = []
        for (index, url) in section.urls.enumerated() {
            do {
                let directory = try setup.store.receiverDirectory("alertmanager", url: url)
                receivers.append(
                    AlertmanagerReceiver(
                        name: "alertmanager-\(index)", baseURL: url, resendInterval: section.resendInterval,
                        directory: directory))
            } catch {
                throw ReceiverSetupError("cannot make the folder of forward.alertmanagers[\(index)]: \(error)")
            }
        }
        return receivers
    }
}
