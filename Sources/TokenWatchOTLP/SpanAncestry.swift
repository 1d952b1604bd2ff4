import Foundation

/// The spans seen recently, each with the agent it ran as and its parent, so that a model call names the
/// agent it ran inside (when its own span does not say) and the agent that triggered that one (`parent`).
///
/// A parent span ends, and is exported, after its children: within one export batch the whole trace is
/// usually present, and a model call whose ancestors arrive in a later batch goes without `parent`. The
/// memory is bounded (oldest forgotten first) because a trace's spans arrive within seconds of each other.
package struct SpanAncestry: Sendable {
    private struct Entry: Sendable {
        var agent: String?
        var parent: Data
    }

    private var entries: [Data: Entry] = [:]
    private var order: [Data] = []
    private var next = 0
    package let capacity: Int

    package init(capacity: Int = 100_000) {
        self.capacity = capacity
        order.reserveCapacity(min(capacity, 4096))
    }

    mutating func remember(_ span: Data, agent: String?, parent: Data) {
        guard !span.isEmpty else { return }
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
    func agent(of span: Data) -> String? {
        var current = span
        for _ in 0..<Self.maxDepth {
            guard let entry = entries[current] else { return nil }
            if let agent = entry.agent { return agent }
            current = entry.parent
        }
        return nil
    }

    /// The nearest agent above `span` other than `agent`: the one that triggered it.
    func caller(above span: Data, besides agent: String) -> String? {
        var current = entries[span]?.parent ?? Data()
        for _ in 0..<Self.maxDepth {
            guard let entry = entries[current] else { return nil }
            if let other = entry.agent, other != agent { return other }
            current = entry.parent
        }
        return nil
    }

    /// Deeper chains are cut off: a cycle of parent ids (a broken exporter) must not loop forever.
    static let maxDepth = 64
}
