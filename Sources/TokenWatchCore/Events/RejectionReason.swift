/// Why an incoming event was dropped. The raw values are the `reason` label of
/// `tokenwatch_events_rejected_total` and part of the documented contract.
public enum RejectionReason: String, Sendable, CaseIterable, Hashable {
    case wrongFrameCount = "wrong_frame_count"
    case tooLarge = "too_large"
    case malformedJSON = "malformed_json"
    case invalidUTF8 = "invalid_utf8"
    case tooDeep = "too_deep"
    case notAnObject = "not_an_object"
    case missingField = "missing_field"
    case wrongType = "wrong_type"
    case badTimestamp = "bad_timestamp"
    case outOfRange = "out_of_range"
    case emptyField = "empty_field"
    case fieldTooLong = "field_too_long"
    /// A `tz` that is not an IANA time zone this machine knows (`Mars/Olympus`, `../../etc/passwd`).
    case badTimeZone = "bad_time_zone"
    /// An `id` among the last `events.duplicate_id_window` ids: the same event sent again.
    case duplicateID = "duplicate_id"
    /// `run` only: an event time further ahead of the wall clock than `events.max_future`.
    case tooFarAhead = "too_far_ahead"
    /// An event time further behind the stream's watermark than `events.max_age`.
    case tooOld = "too_old"
    case internalError = "internal_error"
}
