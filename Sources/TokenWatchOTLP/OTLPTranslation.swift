import TokenWatchCore

/// What one export request became: the events to publish, and what was refused or not a model call.
package struct OTLPTranslation: Sendable {
    /// Event payloads (JSON, UTF-8), in the request's order.
    package var events: [[UInt8]] = []
    /// Each event's virtual shard (``VirtualShard``), for its topic.
    package var shards: [Int] = []
    /// Records describing a model call that could not become an event, by reason.
    package var rejected: [OTLPRecordRejection: Int] = [:]
    /// Records that are not model calls (an HTTP span, an agent's whole invocation, another log line).
    package var ignored = 0
    /// Log records that are a share of a call whose span carries it, to be merged into it (``CallJoiner``).
    var parts: [CallPart] = []
    /// How many of ``parts`` there were (kept once they are handed to the joiner), for the metrics.
    package var joined = 0
    /// The spans whose calls took waiting parts: ``CallJoiner/commit(_:)`` once they are published.
    package var joinedSpans: [UInt64] = []

    package init() {}

    /// Whether some log records wait to be handed to the joiner (``CallJoiner/hold(_:now:)``).
    package var hasParts: Bool { !parts.isEmpty }

    package var rejectedCount: Int { rejected.values.reduce(0, +) }

    /// OTLP's partial-success message: the reasons and their counts, for the sender's logs.
    package var rejectionMessage: String {
        rejected.sorted { $0.key.rawValue < $1.key.rawValue }.map { "\($0.value) \($0.key.rawValue)" }
            .joined(separator: ", ")
    }

    mutating func append(_ call: ModelCall, limits: EventDecoder.Limits) {
        events.append(call.eventJSON(limits: limits))
        shards.append(VirtualShard.of(user: call.user))
    }

    mutating func reject(_ reason: OTLPRecordRejection) { rejected[reason, default: 0] += 1 }
}
