/// Why a span or log record that describes a model call was not turned into an event. Each is counted
/// (`tokenwatch_bridge_records_rejected_total{reason}`) and reported to the sender as OTLP's partial success.
/// Where the daemon would refuse the event, the reason is the daemon's own (`out_of_range`, `too_far_ahead`,
/// `field_too_long`): the sender learns of it, instead of a 200 for an event that is then dropped.
package enum OTLPRecordRejection: String, Error, Sendable, CaseIterable {
    /// No attribute named a person (`bridge.attributes.user`).
    case noUser = "no_user"
    /// A GenAI call without input or output token counts.
    case noTokenCounts = "no_token_counts"
    /// An attribute of the wrong type (a token count that is not a whole number ≥ 0, a user that is a list).
    case wrongType = "wrong_type"
    /// A log record with neither a time nor an observed time.
    case noTime = "no_time"
    /// An identifier longer than the daemon accepts (`events.max_identifier_bytes`).
    case fieldTooLong = "field_too_long"
    /// A token count over `events.max_tokens_per_event` (a sum of counts past 2^63 − 1 included), or a time
    /// outside 2000–2100.
    case outOfRange = "out_of_range"
    /// A time further ahead of the bridge's clock than `events.max_future`.
    case tooFarAhead = "too_far_ahead"
}
