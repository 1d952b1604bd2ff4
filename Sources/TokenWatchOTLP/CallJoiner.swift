import TokenWatchCore

/// One call, one event: log records that describe a model call whose span carries it (an instrumentation's
/// `gen_ai.client.inference.operation.details`, `gen_ai.user.message`, `gen_ai.choice`, …, by `span_id`) are
/// held until that span arrives and merged into it, instead of becoming a second event.
///
/// SDKs export logs sooner than spans (one second's batching against five), and a call's log records are
/// written while its span is open, so the parts usually arrive first and wait. The span's own fields win; the
/// parts fill what it lacks (its content, its token counts, its user). Parts whose span has not come within
/// `wait` are published on their own when they make a call (token counts and a user), under the span's id, so
/// that the span arriving later still is the same event to the daemon (`duplicate_id`); otherwise they are
/// dropped. A part arriving after its span was published adds nothing: it is counted as merged.
package struct CallJoiner: Sendable {
    /// A span's parts, waiting.
    package struct Waiting: Sendable {
        /// The span id in hex: the event id if the parts are published alone.
        package var id: String
        var fields: FieldValues
        package var nanoseconds: UInt64
        /// When the parts stop waiting, in the caller's clock (nanoseconds).
        package var deadline: UInt64
        var bytes: Int
    }

    package let wait: UInt64
    private var waiting: [UInt64: Waiting] = [:]
    private var waitingBytes = 0
    private var joined: RecentKeys
    /// Parts held at most, and their text in bytes: beyond either the oldest stop waiting early.
    package let maxWaiting: Int
    package let maxBytes: Int

    /// `wait` in nanoseconds.
    package init(wait: UInt64, maxWaiting: Int = 10_000, maxBytes: Int = 64 << 20, remembered: Int = 100_000) {
        self.wait = wait
        self.maxWaiting = maxWaiting
        self.maxBytes = maxBytes
        joined = RecentKeys(capacity: remembered)
    }

    package var isEmpty: Bool { waiting.isEmpty }

    /// The spans whose parts are waiting.
    package var count: Int { waiting.count }

    /// Holds a log record's part of the call of span `key`; `false` when that span was published already (the
    /// part adds nothing). Later parts override earlier ones field by field: the last user message of a
    /// conversation is its prompt.
    mutating func hold(_ part: CallPart, now: UInt64) -> Bool {
        let (key, fields) = (part.key, part.fields)
        guard !joined.contains(key) else { return false }
        let bytes = fields.textBytes
        if var entry = waiting[key] {
            var merged = fields
            merged.fallBack(to: entry.fields)
            waitingBytes += merged.textBytes - entry.bytes
            entry.fields = merged
            entry.bytes = merged.textBytes
            waiting[key] = entry
        } else {
            waiting[key] = Waiting(
                id: part.id, fields: fields, nanoseconds: part.nanoseconds, deadline: now + wait, bytes: bytes)
            waitingBytes += bytes
        }
        return true
    }

    /// The parts waiting for span `key`.
    func parts(of key: UInt64) -> FieldValues? { waiting[key]?.fields }

    /// The spans whose calls were published with their parts: the parts are let go, and later ones dropped.
    package mutating func commit(_ keys: [UInt64]) {
        for key in keys {
            joined.insert(key)
            if let entry = waiting.removeValue(forKey: key) { waitingBytes -= entry.bytes }
        }
    }

    /// Takes the log records' parts of `translation` to wait for their spans; those whose span was published
    /// already are dropped. Returns how many were taken or dropped (all of them).
    package mutating func hold(_ translation: inout OTLPTranslation, now: UInt64) {
        for part in translation.parts { _ = hold(part, now: now) }
        translation.joined = translation.parts.count
        translation.parts = []
    }

    /// The parts that have waited long enough (all of them with `now` = `.max`), or that the bounds push out.
    package mutating func expired(now: UInt64) -> [Waiting] {
        var out: [Waiting] = []
        let overflowing = waiting.count > maxWaiting || waitingBytes > maxBytes
        guard overflowing || waiting.values.contains(where: { $0.deadline <= now }) else { return out }
        var byDeadline = waiting.sorted { $0.value.deadline < $1.value.deadline }[...]
        while let (key, entry) = byDeadline.first,
            entry.deadline <= now || waiting.count > maxWaiting || waitingBytes > maxBytes
        {
            byDeadline = byDeadline.dropFirst()
            waiting[key] = nil
            waitingBytes -= entry.bytes
            joined.insert(key)
            out.append(entry)
        }
        return out
    }
}

/// A log record's share of a call whose span carries it: what ``CallJoiner`` holds.
struct CallPart: Sendable {
    /// The span id as a table key, and in hex.
    var key: UInt64
    var id: String
    var fields: FieldValues
    var nanoseconds: UInt64
}

/// The last `capacity` keys inserted, for membership.
struct RecentKeys: Sendable {
    private var set: Set<UInt64> = []
    private var ring: [UInt64] = []
    private var next = 0
    let capacity: Int

    init(capacity: Int) { self.capacity = capacity }

    func contains(_ key: UInt64) -> Bool { set.contains(key) }

    mutating func insert(_ key: UInt64) {
        guard set.insert(key).inserted else { return }
        if ring.count < capacity {
            ring.append(key)
        } else {
            set.remove(ring[next])
            ring[next] = key
            next = (next + 1) % capacity
        }
    }
}

extension FieldValues {
    /// The bytes of the texts held (prompt and answer), for the joiner's bound.
    var textBytes: Int {
        var bytes = 64
        for value in [prompt, output] {
            if case .text(let text)? = value { bytes += text.utf8.count }
            if case .structured? = value { bytes += 1024 }
        }
        return bytes
    }
}
