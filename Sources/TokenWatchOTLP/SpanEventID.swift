import TokenWatchCore

/// The event id of a span: its span id in hex, which an SDK retrying an export sends again unchanged, so the
/// daemon refuses the retry as `duplicate_id`. A span without a span id (a hand-made or broken exporter) gets
/// `span-<trace id>-<hash>`, the hash over its user and the span's own encoded bytes: the same span sent again
/// gets the same id, and two people's calls at the same instant get two.
enum SpanEventID {
    static func id(
        spanID: UnsafeRawBufferPointer, traceID: UnsafeRawBufferPointer, user: String?,
        span: UnsafeRawBufferPointer
    ) -> String {
        if !spanID.isEmpty { return Hex.string(spanID) }
        // Rare enough that the copy does not matter; the 0 keeps user and bytes apart.
        let hash = FNV1a.hash(bytes: Array((user ?? "").utf8) + [0] + Array(span))
        return "span-" + Hex.string(traceID) + "-" + String(hash, radix: 16)
    }
}
