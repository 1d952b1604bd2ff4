/// Why a span or log record that describes a model call was not turned into an event. Each is counted
/// (`tokenwatch_bridge_records_rejected_total{reason}`) and reported to the sender as OTLP's partial success.
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
}
