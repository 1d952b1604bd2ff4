/// The agents a breadth-first search of trigger edges has reached, each once, with the agent it was reached
/// from: what ``AgentLoopDetector`` keeps while it looks for a cycle.
///
/// Why not routes in a set of names: the search runs for every call an agent triggers, and almost always
/// reaches a handful of agents. A route per reached agent and a `Set` of names cost an allocation each and a
/// hash of every name; here a reached agent is a name and a position, found again by comparing names (which
/// interned ids make a comparison of addresses), and only a search that reaches many agents builds a set.
struct ReachedAgents {
    private var agents: [String]
    private var reachedFrom: [Int]
    /// The names of `agents`, once there are more than ``maxScanned``.
    private var names: Set<String>?
    private var levelStart = 0
    private static let maxScanned = 16

    init(from start: String) {
        agents = [start]
        reachedFrom = [-1]
    }

    /// The name of the agent at `position`.
    func agent(at position: Int) -> String { agents[position] }

    /// The positions of the agents reached since the last call (the first call: the start), or `nil` when
    /// there are none: the search has nowhere left to go.
    mutating func nextLevel() -> Range<Int>? {
        let level = levelStart..<agents.count
        levelStart = agents.count
        return level.isEmpty ? nil : level
    }

    /// Records `agent`, reached from the agent at `position`, unless it was reached before.
    mutating func reach(_ agent: String, from position: Int) {
        if names == nil {
            if agents.contains(agent) { return }
            if agents.count >= Self.maxScanned { names = Set(agents) }
        }
        if names != nil, !names!.insert(agent).inserted { return }
        agents.append(agent)
        reachedFrom.append(position)
    }

    /// The agents on the way from the start to the agent at `position`, after the start and ending with it.
    func route(to position: Int) -> [String] {
        var route: [String] = []
        var current = position
        while current > 0 {
            route.append(agents[current])
            current = reachedFrom[current]
        }
        return route.reversed()
    }
}
