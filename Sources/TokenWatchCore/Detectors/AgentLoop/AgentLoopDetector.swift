/// Agents that keep triggering themselves, directly or through others, or that eat their own output.
///
/// Three shapes of loop, each counted per loop within the window:
/// - `self_trigger`: an event whose `parent` is its own `agent`;
/// - `cycle`: a trigger edge `parent → agent` that closes a cycle of recent edges (A→B→A, A→B→C→A, up to
///   `maxCycleLength` agents);
/// - `output_feedback`: an agent's `prompt_hash` equal to the `output_hash` of its previous call.
/// A loop that iterates `minIterations` times within the window without progress is an incident: at most
/// `maxNovelty` of its iterations brought new content (see ``CallNovelty``; output fed back never does). A
/// coding agent that triggers itself hundreds of times with new prompts, or a crew that cycles while each
/// step says something new, is working and stays quiet however many iterations it makes. Loops whose calls
/// carry no content at all are judged by shape alone. A pipeline (triage → summarize) has no cycle, and an
/// occasional retry stays far below the count.
///
/// An agent is an agent of someone: every developer has a `code-agent`, every team a `planner`. So state is
/// kept per (user, agent), and a trigger edge per (user, parent, agent): two people's sessions never merge
/// into one loop, and an alert cites only its own person's events.
public struct AgentLoopDetector: Sendable, Codable {
    public var configuration = AgentLoopConfiguration()
    /// Recent trigger edges, per user: parent → (agent, last time the edge was seen).
    private var edges = SubjectTable<AgentOfUser, TriggerTargets>()
    private var lastOutput = SubjectTable<AgentOfUser, RecentOutput>()
    private var loops = SubjectTable<LoopKey, LoopState>()

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
        let novelty = progress.novelty
        let windowStart = event.time - configuration.window

        let ownAgent = AgentOfUser(user: event.user, agent: agent)
        let ownAgentHash = AgentOfUser.subjectHash(user: keys.user, agent: keys.agent)
        if let promptHash = event.promptHash, let previous = lastOutput[ownAgent, hash: ownAgentHash],
            previous.time >= windowStart, previous.hash == promptHash
        {
            iterate(
                LoopKey(kind: .outputFeedback, user: event.user, members: [agent]),
                hash: LoopKey.subjectHash(.outputFeedback, user: keys.user, agent: keys.agent), event, .fedBack,
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
                hash: LoopKey.subjectHash(.selfTrigger, user: keys.user, agent: keys.agent), event, novelty, now,
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
            iterate(key, hash: key.subjectHash, event, novelty, now, configuration, into: &findings)
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
        var frontier: [[String]] = [[start]]
        var visited: Set<String> = [start]
        for _ in 0..<max(maxCycleLength - 1, 0) {
            var next: [[String]] = []
            for route in frontier {
                guard let targets = edges[AgentOfUser(user: user, agent: route.last!)] else { continue }
                for target in targets.byAgent where target.seen >= notBefore {
                    if target.agent == goal { return Array(route.dropFirst()) + [goal] }
                    if visited.insert(target.agent).inserted { next.append(route + [target.agent]) }
                }
            }
            if next.isEmpty { return nil }
            frontier = next
        }
        return nil
    }

    private mutating func iterate(
        _ key: LoopKey, hash: Int, _ event: TokenEvent, _ novelty: CallNovelty, _ now: EventTime,
        _ configuration: AgentLoopConfiguration, into findings: inout [Finding]
    ) {
        let (count, oldest, evidence, progress) = loops.update(
            key, hash: hash, activeAt: now, orInsert: { LoopState(capacity: max(4 * configuration.minIterations, 64)) },
            change: { state in
                state.record(event, novelty, windowStart: event.time - configuration.window)
                return (state.iterations.count, state.iterations.oldest, state.evidence, state.progress)
            })
        guard count >= configuration.minIterations else { return }
        // Judged by content when any is known; a loop that keeps bringing new content is work.
        if progress.judged > 0 && Double(progress.new) > configuration.maxNovelty * Double(progress.judged) { return }
        let start = oldest ?? event.time
        let minutes = max(Double((event.time - start).milliseconds) / 60_000, 1.0 / 60)
        let rate = (Double(count) / minutes * 10).rounded() / 10
        let windowMinutes = configuration.window.milliseconds / 60_000
        findings.append(
            Finding(
                detector: .agentLoop,
                key: "\(key.kind.rawValue)|\(key.user)|\(key.members.joined(separator: ","))",
                subject: AlertSubject(user: event.user, agent: key.members[0]),
                time: event.time,
                windowStart: start,
                excess: Double(count) / Double(configuration.minIterations),
                details: {
                    let description: String
                    switch key.kind {
                    case .selfTrigger: description = "agent \(key.members[0]) triggered itself"
                    case .outputFeedback: description = "agent \(key.members[0]) was fed its own output"
                    case .cycle:
                        description =
                            "agents \((key.members + [key.members[0]]).joined(separator: " → ")) triggered each other"
                    }
                    return FindingDetails(
                        observed: [
                            ("kind", .text(key.kind.rawValue)),
                            ("members", .list(key.members)),
                            ("iterations", .integer(Int64(count))),
                            ("per_minute", .number(rate)),
                            ("window_seconds", .integer(configuration.window.milliseconds / 1000)),
                            ("novelty", progress.judged > 0 ? .number(progress.share) : .text("unknown")),
                            ("new_iterations", .integer(Int64(progress.new))),
                            ("judged_iterations", .integer(Int64(progress.judged))),
                        ],
                        threshold: [
                            ("min_iterations", .integer(Int64(configuration.minIterations))),
                            ("max_cycle_length", .integer(Int64(configuration.maxCycleLength))),
                            ("max_novelty", .number(configuration.maxNovelty)),
                        ],
                        summary:
                            "\(description) \(count) times within \(windowMinutes) min, \(progress.reason(kind: key.kind))",
                        evidence: evidence.ids)
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

private struct LoopState: Sendable {
    var iterations: TimestampWindow
    /// Iterations whose content was known, and those of them that brought new content.
    var judged: TimestampWindow
    var new: TimestampWindow
    /// Iterations that were output fed back, exact or near repeats.
    var fedBack: TimestampWindow
    var evidence = EvidenceRing()

    init(capacity: Int) {
        iterations = TimestampWindow(capacity: capacity)
        judged = TimestampWindow(capacity: capacity)
        new = TimestampWindow(capacity: capacity)
        fedBack = TimestampWindow(capacity: capacity)
    }

    mutating func record(_ event: TokenEvent, _ novelty: CallNovelty, windowStart: EventTime) {
        iterations.expire(before: windowStart)
        judged.expire(before: windowStart)
        new.expire(before: windowStart)
        fedBack.expire(before: windowStart)
        iterations.record(event.time)
        if novelty.isKnown { judged.record(event.time) }
        if novelty.isNew { new.record(event.time) }
        if novelty == .fedBack { fedBack.record(event.time) }
        evidence.record(event.id)
    }

    var progress: LoopProgress { LoopProgress(judged: judged.count, new: new.count, fedBack: fedBack.count) }
}

/// Coded with the progress windows optional, so that a checkpoint written before they were kept restores.
extension LoopState: Codable {
    private enum CodingKeys: String, CodingKey { case iterations, judged, new, fedBack, evidence }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        iterations = try c.decode(TimestampWindow.self, forKey: .iterations)
        let empty = TimestampWindow(capacity: iterations.capacity)
        judged = try c.decodeIfPresent(TimestampWindow.self, forKey: .judged) ?? empty
        new = try c.decodeIfPresent(TimestampWindow.self, forKey: .new) ?? empty
        fedBack = try c.decodeIfPresent(TimestampWindow.self, forKey: .fedBack) ?? empty
        evidence = try c.decode(EvidenceRing.self, forKey: .evidence)
    }
}

/// How much of a loop's recent work was new: what the alert says it is not work.
private struct LoopProgress {
    var judged: Int
    var new: Int
    var fedBack: Int

    /// The share of judged iterations that brought new content, to two decimals.
    var share: Double { judged == 0 ? 0 : (Double(new) / Double(judged) * 100).rounded() / 100 }

    func reason(kind: LoopKey.Kind) -> String {
        guard judged > 0 else { return "content unknown (judged by shape)" }
        var parts = ["new content in \(new) of \(judged) iterations"]
        if fedBack > 0 && kind != .outputFeedback { parts.append("\(fedBack) fed their own output back unchanged") }
        if kind == .outputFeedback { parts.append("outputs fed back unchanged") }
        return parts.joined(separator: ", ")
    }
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
