import TokenWatchCore

/// What a receiver kind is configured from: the validated `forward` section, and the state directory in which
/// each receiver keeps its own folder.
package struct ReceiverSetup: Sendable {
    package var configuration: ForwardConfiguration
    package var store: ForwardStore

    package init(configuration: ForwardConfiguration, store: ForwardStore) {
        self.configuration = configuration
        self.store = store
    }
}

/// Why a configured receiver cannot be set up (a key file that cannot be read, a folder that cannot be made):
/// one line naming the configuration key.
package struct ReceiverSetupError: Error, CustomStringConvertible {
    package var description: String

    package init(_ description: String) {
        self.description = description
    }
}
