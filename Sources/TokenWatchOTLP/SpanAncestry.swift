import Foundation
import TokenWatchCore

/// The spans seen recently, each with the agent it ran as and its parent, so that a model call names the
/// agent it ran inside (when its own span does not say) and the agent that triggered that one (`parent`).
///
/// A parent span ends, and is exported, after its children: within one export batch the whole trace is
/// usually present, and a model call whose ancestors arrive in a later batch goes without `parent`. The
/// memory is bounded (oldest forgotten first) because a trace's spans arrive within seconds of each other.
package struct SpanAncestry: Sendable {
    private struct Entry: Sendable {
        var agent: String?
        var parent: UInt64?
    }

    private var entries: [UInt64: Entry] = [:]
    private var order: [UInt64] = []
    private var next = 0
    package let capacity: Int

    package init(capacity: Int = 100_000) {
        self.capacity = capacity
        order.reserveCapacity(min(capacity, 4096))
    }

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
        if entries.updateValue(Entry(agent: agent, parent: parent), forKey: span) != nil { return }
        if order.count < capacity {
            order.append(span)
        } else {
            entries[order[next]] = nil
            order[next] = span
            next = (next + 1) % capacity
        }
    }

    /// The agent a span ran as: its own, else its nearest ancestor's.
    func agent(of span: UInt64?) -> String? {
        var current = span
        for _ in 0..<Self.maxDepth {
            guard let key = current, let entry = entries[key] else { return nil }
            if let agent = entry.agent { return agent }
            current = entry.parent
        }
        return nil
    }

    /// The nearest agent above `span` other than `agent`: the one that triggered it.
    func caller(above span: UInt64?, besides agent: String) -> String? {
        var current = span.flatMap { entries[$0]?.parent }
        for _ in 0..<Self.maxDepth {
            guard let key = current, let entry = entries[key] else { return nil }
            if let other = entry.agent, other != agent { return other }
            current = entry.parent
        }
        return nil
    }

    /// Deeper chains are cut off: a cycle of parent ids (a broken exporter) must not loop forever.
    static let maxDepth = 64
}
