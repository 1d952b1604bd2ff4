import TokenWatchCore

/// Every kind of receiver `forward` delivers to, in the order each alert is recorded for them. A new kind is
/// a folder beside these and one line here (CONTRIBUTING.md, "Adding a forward receiver"): the line brings its
/// receivers and its keys in the configuration.
package enum ForwardReceivers {
    static let kinds: [any ForwardReceiver.Type] = [
        WebhookReceiver.self,
        AlertmanagerReceiver.self,
    ]

    /// Every kind's section of `forward`, with its defaults: the executable reads each configuration file over
    /// them (``TokenWatchCore/ForwardConfiguration/receivers``), whatever the command, since the file is shared.
    package static var sections: ForwardReceiverSections {
        ForwardReceiverSections(kinds.map { defaultSection(of: $0) })
    }

    /// The receivers the configuration asks for, kind after kind.
    package static func configured(_ setup: ReceiverSetup) throws(ReceiverSetupError) -> [any ForwardReceiver] {
        var receivers: [any ForwardReceiver] = []
        for kind in kinds { receivers += try configured(kind, setup) }
        return receivers
    }

    private static func configured<Kind: ForwardReceiver>(
        _ kind: Kind.Type, _ setup: ReceiverSetup
    ) throws(ReceiverSetupError) -> [any ForwardReceiver] {
        try Kind.configured(setup.configuration.receivers[Kind.Section.self], setup: setup)
    }

    private static func defaultSection<Kind: ForwardReceiver>(of kind: Kind.Type) -> any ForwardReceiverSection {
        Kind.Section()
    }
}

extension TokenWatchConfiguration {
    /// The built-in defaults with every receiver kind's section: every command reads its file over these,
    /// since the one file holds the `forward` section whichever command reads it.
    package static let builtIn: TokenWatchConfiguration = {
        var configuration = TokenWatchConfiguration()
        configuration.forward.receivers = ForwardReceivers.sections
        return configuration
    }()
}
