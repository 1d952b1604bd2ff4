/// The one rule for which events reach the detectors, used by `run`, `replay`, `test`, `evaluate` and the
/// benchmarks alike.
///
/// In order: a payload that did not decode is refused for its decoding reason; an event later than
/// `latestAccepted` is `too_far_ahead` (only `run` has a wall clock to set it from: the time of receipt plus
/// `events.max_future`; the others pass `nil`); an event further behind the watermark than `events.max_age`
/// is `too_old`; an event whose `id` was among the last `events.duplicate_id_window` ids is `duplicate_id`.
/// Every other event is processed.
extension DetectionEngine {
    /// Admits and processes one decoded payload, appending the alerts it causes; returns why it was refused,
    /// or `nil`. `inout` only so that the event is read where it lies (see ``DecodedEvent``).
    public mutating func admit(
        _ decoded: inout DecodedEvent, latestAccepted: EventTime? = nil, into alerts: inout [Alert]
    ) -> EventRejection? {
        if let rejection = rejection(for: &decoded, latestAccepted: latestAccepted) { return rejection }
        process(decoded.event, shard: decoded.shard, keys: decoded.keys, into: &alerts)
        return nil
    }

    /// Why `decoded` is refused, or `nil` when it is admitted (its id is then remembered). `inout` only so
    /// that the event is read where it lies.
    mutating func rejection(for decoded: inout DecodedEvent, latestAccepted: EventTime?) -> EventRejection? {
        if let rejection = decoded.rejection { return rejection }
        if let latestAccepted, decoded.event.time > latestAccepted { return EventRejection(.tooFarAhead, field: "ts") }
        if isTooOld(decoded.event) { return EventRejection(.tooOld, field: "ts") }
        if let id = decoded.event.id, recentEventIDs.isRepeat(id, hash: decoded.idHash) {
            return EventRejection(.duplicateID, field: "id")
        }
        return nil
    }
}

/// Refused events counted by reason: what `replay`, `test` and `evaluate` report, and `run` exports.
public struct RejectionCounts: Sendable, Equatable, CustomStringConvertible {
    public private(set) var byReason: [RejectionReason: UInt64] = [:]

    public init() {}

    public var total: UInt64 { byReason.values.reduce(0, +) }

    public mutating func record(_ rejection: EventRejection) {
        byReason[rejection.reason, default: 0] += 1
    }

    /// `too_old 3, malformed_json 1`, most frequent first (ties by name); `none` when nothing was refused.
    public var description: String {
        guard !byReason.isEmpty else { return "none" }
        return byReason.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key.rawValue < $1.key.rawValue }
            .map { "\($0.key.rawValue) \($0.value)" }.joined(separator: ", ")
    }
}
