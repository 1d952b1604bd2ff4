/// The agents one parent agent triggered recently, each with when that edge was last seen: the value the
/// loop detector keeps per parent (``AgentLoopDetector``).
///
/// Why not a dictionary: a parent almost always triggers one agent (a person's triage agent, a planner's one
/// worker), and its entry often lives a single window, made and forgotten again as the parent comes and goes.
/// A dictionary costs an allocation per entry, and a SipHash per edge seen and per search. Here the first
/// target is kept inline and only a parent that triggers several agents has an array; finding one compares
/// strings, which interned ids make a comparison of addresses (``IdentifierInterner``).
struct TriggerTargets: Sendable {
    struct Target: Sendable, Equatable {
        var agent: String
        var seen: EventTime
    }

    private var first: Target?
    private var others: [Target] = []

    init() {}

    var count: Int { (first == nil ? 0 : 1) + others.count }

    /// When the edge to `agent` was last seen, if it is kept.
    func seen(_ agent: String) -> EventTime? {
        if let first, first.agent == agent { return first.seen }
        return others.first(where: { $0.agent == agent })?.seen
    }

    /// Every target, in order of the agents' names, so that searches go the same way whatever order the
    /// edges came in.
    var byAgent: [Target] {
        guard let first else { return [] }
        if others.isEmpty { return [first] }
        return ([first] + others).sorted { $0.agent < $1.agent }
    }

    /// Calls `body` with each target in order of the agents' names (as ``byAgent`` lists them) until it
    /// returns `false`. A search visits every parent it reaches, and most have one target: no array for it.
    func visitByAgent(_ body: (Target) -> Bool) {
        guard let first else { return }
        guard !others.isEmpty else {
            _ = body(first)
            return
        }
        for target in byAgent {
            if !body(target) { return }
        }
    }

    /// Records the edge to `agent` seen at `time` (a later time than the one kept replaces it). A new target
    /// beyond `limit` replaces the stalest (of equally stale ones, the first kept).
    mutating func record(_ agent: String, at time: EventTime, keepingAtMost limit: Int) {
        if first?.agent == agent {
            if time > first!.seen { first!.seen = time }
            return
        }
        if let index = others.firstIndex(where: { $0.agent == agent }) {
            if time > others[index].seen { others[index].seen = time }
            return
        }
        if count >= limit { removeStalest() }
        if first == nil {
            first = Target(agent: agent, seen: time)
        } else {
            others.append(Target(agent: agent, seen: time))
        }
    }

    private mutating func removeStalest() {
        guard let kept = first else { return }
        if let index = others.indices.min(by: { others[$0].seen < others[$1].seen }), others[index].seen < kept.seen {
            others.remove(at: index)
        } else {
            first = others.isEmpty ? nil : others.removeFirst()
        }
    }
}

/// Coded as a dictionary from agent to time, as checkpoints have always kept a parent's edges.
extension TriggerTargets: Codable {
    init(from decoder: any Decoder) throws {
        self.init()
        for (agent, seen) in try [String: EventTime](from: decoder).sorted(by: { $0.key < $1.key }) {
            record(agent, at: seen, keepingAtMost: .max)
        }
    }

    func encode(to encoder: any Encoder) throws {
        try [String: EventTime](uniqueKeysWithValues: byAgent.map { ($0.agent, $0.seen) }).encode(to: encoder)
    }
}
