import Foundation
import TokenWatchCore

/// The spans seen recently, each with the agent it ran as and its parent, so that a model call names the
/// agent it ran inside (when its own span does not say) and the agent that triggered that one (`parent`).
///
/// A parent span ends, and is exported, after its children: within one export batch the whole trace is
/// usually present, and a model call whose ancestors arrive in a later batch goes without `parent`. The
/// memory is bounded in spans and in bytes (oldest forgotten first) because a trace's spans arrive within
/// seconds of each other. An agent name longer than the daemon accepts (`events.max_identifier_bytes`) is not
/// kept: the span is remembered as an agent without a name, so a call beneath it goes without `agent` rather
/// than inherit a name from further up, and an ignored span cannot make the bridge hold megabytes.
package struct SpanAncestry: Sendable {
    private enum Agent: Sendable {
        case none
        case named(String)
        /// An agent whose name was too long to keep.
        case withheld
    }

    private struct Entry: Sendable {
        var agent: Agent
        var parent: UInt64?
        /// What the entry holds, roughly: the table's slot and the name's bytes.
        var bytes: Int
    }

    private var entries: [UInt64: Entry] = [:]
    /// The spans in the order they were first seen, oldest at `head`.
    private var order: [UInt64] = []
    private var head = 0
    /// The sum of the entries' ``Entry/bytes``.
    package private(set) var bytes = 0
    package let capacity: Int
    package let maxBytes: Int
    package let maxIdentifierBytes: Int

    /// `capacity` spans and `maxBytes` of memory at most, whichever is reached first; agent names up to
    /// `maxIdentifierBytes`.
    package init(
        capacity: Int = 100_000, maxBytes: Int = 32 << 20,
        maxIdentifierBytes: Int = EventDecoder.Limits().maxIdentifierBytes
    ) {
        self.capacity = capacity
        self.maxBytes = maxBytes
        self.maxIdentifierBytes = maxIdentifierBytes
        order.reserveCapacity(min(capacity, 4096))
    }

    /// An entry's cost besides its name: its key, parent and tag in the table and the order, with the
    /// dictionary's spare room.
    static let entryBytes = 64

    /// A span id as a table key: its eight bytes (OTLP's span ids are eight bytes), or a hash of other lengths.
    static func key(_ id: Data) -> UInt64? {
        id.withUnsafeBytes { key($0) }
    }

    static func key(_ id: UnsafeRawBufferPointer) -> UInt64? {
        guard !id.isEmpty else { return nil }
        if id.count == 8 { return UInt64(bigEndian: id.loadUnaligned(as: UInt64.self)) }
        return FNV1a.hash(bytes: id)
    }

    mutating func remember(_ span: UInt64?, agent: String?, parent: UInt64?) {
        guard let span else { return }
        var entry = Entry(agent: .none, parent: parent, bytes: Self.entryBytes)
        if let agent {
            let length = agent.utf8.count
            if length <= maxIdentifierBytes {
                entry.agent = .named(agent)
                entry.bytes += length
            } else {
                entry.agent = .withheld
            }
        }
        bytes += entry.bytes
        if let previous = entries.updateValue(entry, forKey: span) {
            bytes -= previous.bytes
        } else {
            order.append(span)
        }
        while order.count - head > capacity || (bytes > maxBytes && head < order.count) { forgetOldest() }
    }

    private mutating func forgetOldest() {
        if let forgotten = entries.removeValue(forKey: order[head]) { bytes -= forgotten.bytes }
        head += 1
        // The forgotten prefix is dropped once it is half the array: amortised O(1) per span.
        if head >= 1024, head * 2 >= order.count {
            order.removeFirst(head)
            head = 0
        }
    }

    /// The agent a span ran as: its own, else its nearest ancestor's.
    func agent(of span: UInt64?) -> String? {
        var current = span
        for _ in 0..<Self.maxDepth {
            guard let key = current, let entry = entries[key] else { return nil }
            switch entry.agent {
            case .named(let agent): return agent
            case .withheld: return nil
            case .none: current = entry.parent
            }
        }
        return nil
    }

    /// The nearest agent above `span` other than `agent`: the one that triggered it.
    func caller(above span: UInt64?, besides agent: String) -> String? {
        var current = span.flatMap { entries[$0]?.parent }
        for _ in 0..<Self.maxDepth {
            guard let key = current, let entry = entries[key] else { return nil }
            switch entry.agent {
            case .named(let other) where other != agent: return other
            case .withheld: return nil
            case .named, .none: current = entry.parent
            }
        }
        return nil
    }

    /// Deeper chains are cut off: a cycle of parent ids (a broken exporter) must not loop forever.
    static let maxDepth = 64
}
