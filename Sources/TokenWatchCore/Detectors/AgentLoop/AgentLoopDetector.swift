/// Agents that keep triggering themselves, directly or through others, or that eat their own output.
///
/// Three shapes of loop, each counted per loop within the window:
/// - `self_trigger`: an event whose `parent` is its own `agent`;
/// - `cycle`: a trigger edge `parent → agent` that closes a cycle of recent edges (A→B→A, A→B→C→A, up to
///   `maxCycleLength` agents);
/// - `output_feedback`: an agent's `prompt_hash` equal to the `output_hash` of its previous call.
/// A loop that iterates `minIterations` times within `window` (fast loops), or `slowMinIterations` times
/// within `slowWindow` (a loop of an iteration a minute or two), without progress is an incident: at most
/// `maxNovelty` of its judged iterations built on what came before (see ``ProgressJudgement``: the context
/// grew, or a person asked something new at a person's pace). A coding agent that triggers itself hundreds
/// of times while its context grows, or a crew that cycles while its contexts grow, is working and stays
/// quiet however many iterations it makes, even when its tool results repeat boilerplate; the same result
/// coming back again and again is churn however the context grows. New text alone does not excuse a loop:
/// agents exchanging unrelated messages without carrying anything on are going round. Loops with neither
/// content nor usable token figures are judged by shape alone. A pipeline (triage → summarize) has no cycle,
/// and an occasional retry stays far below the count.
///
/// An agent is an agent of someone: every developer has a `code-agent`, every team a `planner`. So state is
/// kept per (user, agent), and a trigger edge per (user, parent, agent): two people's sessions never merge
/// into one loop, and an alert cites only its own person's events.
public struct AgentLoopDetector: Sendable, Codable {
    public var configuration = AgentLoopConfiguration()
    /// Recent trigger edges, per user: parent → (agent, last time the edge was seen).
    private var edges = SubjectTable<AgentOfUser, TriggerTargets>()
    private var lastOutput = SubjectTable<AgentOfUser, RecentOutput>()
    private var loops = SubjectTable<LoopKey, LoopActivity>()

    /// Fan-out remembered per parent; the stalest edge is forgotten first.
    static let maxEdgesPerNode = 64

    private enum CodingKeys: String, CodingKey { case edges, lastOutput, loops }

    public init(configuration: AgentLoopConfiguration) {
        self.configuration = configuration
    }

    /// Agents with recent trigger edges or outputs.
    public var trackedSubjects: Int { max(edges.count, lastOutput.count, loops.count) }

    func split(into count: Int, by shard: (String) -> Int) -> [AgentLoopDetector] {
        let (edges, outputs, loops) = (
            edges.split(into: count, by: shard), lastOutput.split(into: count, by: shard),
            loops.split(into: count, by: shard)
        )
        return (0..<count).map { index in
            var part = AgentLoopDetector(configuration: configuration)
            part.edges = edges[index]
            part.lastOutput = outputs[index]
            part.loops = loops[index]
            return part
        }
    }

    mutating func evictIdlest(limit: Int) -> Int {
        edges.removeLeastRecentlyActive(keeping: limit)
            + lastOutput.removeLeastRecentlyActive(keeping: limit)
            + loops.removeLeastRecentlyActive(keeping: limit)
    }

    /// Runs one event under `configuration` (the subject's own, when an override applies).
    public mutating func ingest(
        _ event: TokenEvent, keys: EventKeys, progress: CallProgress, arrivedAt now: EventTime,
        with configuration: AgentLoopConfiguration, into findings: inout [Finding]
    ) {
        guard configuration.enabled, let agent = event.agent else { return }
        // Edges and outputs are remembered over the longer window, so that a slow cycle is still a cycle.
        let windowStart = event.time - max(configuration.window, configuration.slowWindow)

        let ownAgent = AgentOfUser(user: event.user, agent: agent)
        let ownAgentHash = AgentOfUser.subjectHash(user: keys.user, agent: keys.agent)
        if let promptHash = event.promptHash, let previous = lastOutput[ownAgent, hash: ownAgentHash],
            previous.time >= windowStart, previous.hash == promptHash
        {
            iterate(
                LoopKey(kind: .outputFeedback, user: event.user, members: [agent]),
                hash: LoopKey.subjectHash(.outputFeedback, user: keys.user, agent: keys.agent), event, progress,
                now, configuration, into: &findings)
        }
        if let outputHash = event.outputHash {
            let output = RecentOutput(hash: outputHash, time: event.time)
            lastOutput.update(
                ownAgent, hash: ownAgentHash, activeAt: now, orInsert: { output }, change: { $0 = output })
        }

        guard let parent = event.parent else { return }
        if parent == agent {
            iterate(
                LoopKey(kind: .selfTrigger, user: event.user, members: [agent]),
                hash: LoopKey.subjectHash(.selfTrigger, user: keys.user, agent: keys.agent), event, progress, now,
                configuration, into: &findings)
            return
        }
        recordEdge(
            from: AgentOfUser(user: event.user, agent: parent),
            hash: AgentOfUser.subjectHash(user: keys.user, agent: keys.parent), to: agent, at: event.time,
            arrivedAt: now)
        if let path = path(
            from: ownAgent, hash: ownAgentHash, to: parent, notBefore: windowStart,
            maxCycleLength: configuration.maxCycleLength)
        {
            // The edge parent → agent closes the cycle parent → agent → … → parent.
            let key = LoopKey(
                kind: .cycle, user: event.user, members: LoopKey.canonicalCycle([parent, agent] + path.dropLast()))
            iterate(key, hash: key.subjectHash, event, progress, now, configuration, into: &findings)
        }
    }

    /// Forgets parents, outputs and loops with no activity since `start` (the start of the longest window of
    /// any override). A parent's single stale edges go when it reaches its fan-out cap (stalest first); searches
    /// ignore them meanwhile.
    public mutating func expire(before start: EventTime) {
        edges.removeInactive(before: start)
        lastOutput.removeInactive(before: start)
        loops.removeInactive(before: start)
    }

    private mutating func recordEdge(
        from parent: AgentOfUser, hash: Int, to agent: String, at time: EventTime, arrivedAt now: EventTime
    ) {
        edges.update(
            parent, hash: hash, activeAt: now, orInsert: { TriggerTargets() },
            change: { $0.record(agent, at: time, keepingAtMost: Self.maxEdgesPerNode) })
    }

    /// A shortest path of recent edges from the agent `origin` (whose key has `hash`) to `goal`, another agent of
    /// the same user, as the nodes after the start (ending with `goal`), of at most `maxCycleLength - 1` edges.
    private func path(
        from origin: AgentOfUser, hash: Int, to goal: String, notBefore: EventTime, maxCycleLength: Int
    ) -> [String]? {
        let start = origin.agent
        let user = origin.user
        // Most agents trigger no other (the end of a pipeline): no search, and nothing allocated for one.
        guard maxCycleLength >= 2, let first = edges[origin, hash: hash] else { return nil }
        if let seen = first.seen(goal), seen >= notBefore { return [goal] }
        guard maxCycleLength >= 3 else { return nil }
        var reached = ReachedAgents(from: start)
        for _ in 0..<(maxCycleLength - 1) {
            guard let level = reached.nextLevel() else { return nil }
            for position in level {
                guard
                    let targets = position == 0
                        ? first : edges[AgentOfUser(user: user, agent: reached.agent(at: position))]
                else { continue }
                var closes = false
                targets.visitByAgent { target in
                    guard target.seen >= notBefore else { return true }
                    if target.agent == goal {
                        closes = true
                        return false
                    }
                    reached.reach(target.agent, from: position)
                    return true
                }
                if closes { return reached.route(to: position) + [goal] }
            }
        }
        return nil
    }

    private mutating func iterate(
        _ key: LoopKey, hash: Int, _ event: TokenEvent, _ progress: CallProgress, _ now: EventTime,
        _ configuration: AgentLoopConfiguration, into findings: inout [Finding]
    ) {
        let minute = event.time.milliseconds / 60_000
        let fastMinutes = max(configuration.window.milliseconds / 60_000, 1)
        let slowMinutes = max(configuration.slowWindow.milliseconds / 60_000, fastMinutes)
        let (fast, slow, streak, evidence) = loops.update(
            key, hash: hash, activeAt: now, orInsert: { LoopActivity() },
            change: { loop in
                loop.record(progress, id: event.id, at: event.time.milliseconds, keepMinutes: slowMinutes)
                let fast = loop.window.sum(lastMinutes: fastMinutes, at: minute)
                return (
                    fast, slow: (tally: loop.total, first: loop.window.firstMinute),
                    streak: (tally: loop.streak, start: loop.streakStart), loop.evidence
                )
            })
        let needed = configuration.minIterations
        // The fast rule; then a run of churn at the fast rule's pace (a runaway inside honest work, judged by
        // its own iterations rather than the window's progress before it); then the slow rule.
        let window: (tally: LoopTally, first: Int64?, minutes: Int64, needed: Int)
        if Int(fast.figures.iterations) >= needed && configuration.isChurn(fast.figures) {
            window = (fast.figures, fast.firstMinute, fastMinutes, needed)
        } else if Int(streak.tally.iterations) >= needed && streak.tally.judged > 0,
            Int64(streak.tally.iterations) * configuration.window.milliseconds
                >= Int64(needed) * max(event.time.milliseconds - streak.start, 1)
        {
            window = (streak.tally, streak.start / 60_000, fastMinutes, needed)
        } else if configuration.slowMinIterations > 0, Int(slow.tally.iterations) >= configuration.slowMinIterations,
            configuration.isChurn(slow.tally)
        {
            window = (slow.tally, slow.first, slowMinutes, configuration.slowMinIterations)
        } else {
            return
        }
        let tally = window.tally
        let start = EventTime(milliseconds: (window.first ?? minute) * 60_000)
        let spanMinutes = max(Double((event.time - start).milliseconds) / 60_000, 1.0 / 60)
        let rate = (Double(tally.iterations) / spanMinutes * 10).rounded() / 10
        findings.append(
            Finding(
                detector: .agentLoop,
                key: "\(key.kind.rawValue)|\(key.user)|\(key.members.joined(separator: ","))",
                subject: AlertSubject(user: event.user, agent: key.members[0]),
                time: event.time,
                windowStart: start,
                excess: Double(tally.iterations) / Double(window.needed),
                details: { [minIterations = window.needed, windowMinutes = window.minutes] in
                    LoopFigures(
                        key: key, tally: tally, perMinute: rate, windowMinutes: windowMinutes,
                        minIterations: minIterations
                    ).details(configuration, evidence: evidence)
                }))
    }
}

struct LoopKey: SubjectKey, Codable {
    enum Kind: String, Sendable, Codable {
        case selfTrigger = "self_trigger"
        case cycle
        case outputFeedback = "output_feedback"
    }

    var kind: Kind
    /// Whose agents these are.
    var user: String
    var members: [String]

    var owner: String { user }

    var subjectHash: Int {
        var hash = SubjectHash.combine(Self.hash(of: kind), SubjectHash.hash(user))
        for member in members { hash = SubjectHash.combine(hash, SubjectHash.hash(member)) }
        return Int(truncatingIfNeeded: hash)
    }

    /// The ``subjectHash`` of a loop of one agent, from the ``SubjectHash``es of its ids.
    static func subjectHash(_ kind: Kind, user: UInt64, agent: UInt64) -> Int {
        Int(truncatingIfNeeded: SubjectHash.combine(SubjectHash.combine(hash(of: kind), user), agent))
    }

    /// The ``SubjectHash`` of each kind's name, worked out once.
    private static func hash(of kind: Kind) -> UInt64 {
        switch kind {
        case .selfTrigger: selfTriggerHash
        case .cycle: cycleHash
        case .outputFeedback: outputFeedbackHash
        }
    }

    private static let selfTriggerHash = SubjectHash.hash(Kind.selfTrigger.rawValue)
    private static let cycleHash = SubjectHash.hash(Kind.cycle.rawValue)
    private static let outputFeedbackHash = SubjectHash.hash(Kind.outputFeedback.rawValue)

    /// Rotates a cycle so that it starts at its smallest member: A→B→C and B→C→A are the same loop.
    static func canonicalCycle(_ members: [String]) -> [String] {
        guard let first = members.indices.min(by: { members[$0] < members[$1] }) else { return members }
        return Array(members[first...] + members[..<first])
    }
}

/// An agent of one user: the key of its outputs and of the trigger edges it starts.
struct AgentOfUser: SubjectKey, Codable {
    var user: String
    var agent: String

    var owner: String { user }

    var subjectHash: Int { Self.subjectHash(user: SubjectHash.hash(user), agent: SubjectHash.hash(agent)) }

    /// The ``subjectHash`` of the key whose ids have these ``SubjectHash``es.
    static func subjectHash(user: UInt64, agent: UInt64) -> Int {
        Int(truncatingIfNeeded: SubjectHash.combine(user, agent))
    }
}

/// An agent's latest output fingerprint, to spot it coming back as a prompt.
private struct RecentOutput: Sendable, Codable {
    var hash: String
    var time: EventTime
}

extension AgentLoopDetector: Detector {
    static let name = DetectorName.agentLoop
    /// Its state since it is kept per (user, agent); a checkpoint from before, under `agentLoop`, is not
    /// read (this detector then starts afresh, the others are restored).
    static let checkpointKey = "agentLoopByUser"
}

extension DetectorSettings {
    public var agentLoop: AgentLoopConfiguration {
        get { self[AgentLoopDetector.self] }
        set { self[AgentLoopDetector.self] = newValue }
    }
}

extension DetectorName {
    public static let agentLoop = DetectorName(declaring: "agent_loop")
}
