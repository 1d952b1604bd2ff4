import Foundation
import TokenWatchCore

/// What every receiver's delivery loop shares: how to retry and when to give up.
package struct ReceiverSettings: Sendable {
    package var initialBackoff: Duration
    package var maxBackoff: Duration
    package var maxRetryAge: Duration
    package var maxQueue: Int

    package init(_ configuration: ForwardConfiguration) {
        initialBackoff = configuration.initialBackoff
        maxBackoff = configuration.maxBackoff
        maxRetryAge = configuration.maxRetryAge
        maxQueue = configuration.maxQueue
    }

    /// How often an idle delivery loop looks for new work.
    static let idlePoll = Duration.milliseconds(100)
}

extension Duration {
    /// Seconds, for `Date` arithmetic; from Core's ``Duration/milliseconds``, fine enough for retry ages.
    var timeInterval: TimeInterval { TimeInterval(milliseconds) / 1000 }
}
