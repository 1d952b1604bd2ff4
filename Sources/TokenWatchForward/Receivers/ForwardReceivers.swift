/// Every kind of receiver `forward` delivers to, in the order each alert is recorded for them. A new kind is
/// a folder beside these and one line here (CONTRIBUTING.md, "Adding a forward receiver").
package enum ForwardReceivers {
    static let kinds: [any ForwardReceiver.Type] = [
        WebhookReceiver.self,
        AlertmanagerReceiver.self,
    ]

    /// The receivers the configuration asks for, kind after kind.
    package static func configured(_ setup: ReceiverSetup) throws(ReceiverSetupError) -> [any ForwardReceiver] {
        var receivers: [any ForwardReceiver] = []
        for kind in kinds { receivers += try kind.configured(setup) }
        return receivers
    }
}
