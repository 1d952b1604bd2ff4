/// A receiver kind's keys in the `forward` section (`webhooks`, `alertmanagers`), declared beside the receiver
/// in the forward module rather than here: Core's loader cannot see that module. The executable hands each
/// kind's defaults to the loader in ``ForwardConfiguration/receivers``, and the loader then accepts, reads
/// and prints the kind's keys among the section's own (CONTRIBUTING.md, "Adding a forward receiver").
package protocol ForwardReceiverSection: Sendable, Equatable {
    /// The defaults: what a file that leaves the keys out gets.
    init()
    /// The keys it adds to `forward`, in the order they are read and printed.
    static var keys: [String] { get }
    /// Reads the keys the file gives over the current values, reporting a wrong one (with its file, line and
    /// key) to `section`. `forward` holds the section's own keys, read first: its `targetProblem` judges a
    /// receiver URL under the `allow_*` keys.
    mutating func read(_ section: inout ConfigurationSection, in forward: ForwardConfiguration)
    /// Its lines in `check-config --print`, without the section's indentation; reading them back gives the same
    /// values.
    var yamlLines: [String] { get }
}

extension ForwardReceiverSection {
    func isEqual(to other: any ForwardReceiverSection) -> Bool { (other as? Self) == self }
}
