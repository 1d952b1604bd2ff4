/// The shared measure of progress: judges every call against its own stream's recent content (see
/// ``CallNovelty``) before the detectors see it, so that each detector reads one verdict per call instead
/// of keeping its own copy of what was said.
///
/// A stream is a person's own calls, or one agent of theirs: `code-agent` of one person is never compared
/// with another person's `code-agent`, and a person's scheduled agent repeating its status question does
/// not make their own evening work look repetitive. State is bounded like a detector's: a stream quiet for
/// an hour is forgotten, and the idlest go first beyond `state.max_tracked_subjects`.
public struct ProgressTracker: Sendable, Codable {
    private var streams = SubjectTable<AgentOfUser, ContentMemory>()

    private enum CodingKeys: String, CodingKey { case streams }

    public init() {}

    var trackedStreams: Int { streams.count }

    /// The verdict on one call, which is then remembered in its stream.
    public mutating func observe(_ event: TokenEvent, arrivedAt now: EventTime) -> CallProgress {
        observe(event, keys: EventKeys(of: event), arrivedAt: now)
    }

    /// The verdict on one call whose ids have the hashes `keys`.
    mutating func observe(_ event: TokenEvent, keys: EventKeys, arrivedAt now: EventTime) -> CallProgress {
        let since = now.milliseconds - ContentMemory.window
        // Triggered by another of the person's agents (a crew's step): that agent's stream must be active. A
        // self-trigger is its own stream, whose activity the update below reports without a second lookup.
        var inAgentChain = false
        if event.prompt != nil, let agent = event.agent, let parent = event.parent, parent != agent,
            parent != event.user,
            let active = streams.lastActive(
                AgentOfUser(user: event.user, agent: parent),
                hash: AgentOfUser.subjectHash(user: keys.user, agent: keys.parent))
        {
            inAgentChain = active.milliseconds >= since
        }
        var wasActive = false
        let observation = streams.update(
            AgentOfUser(user: event.user, agent: event.agent ?? ""),
            hash: AgentOfUser.subjectHash(user: keys.user, agent: keys.agent), activeAt: now,
            orInsert: { ContentMemory() },
            change: { memory in
                wasActive = memory.lastSeen >= since
                return memory.observe(
                    prompt: event.prompt, promptHash: event.promptHash, outputHash: event.outputHash,
                    inputTokens: event.inputTokens, session: event.session == nil ? 0 : keys.session, at: event.time)
            })
        if event.agent != nil && event.parent == event.agent && wasActive { inAgentChain = true }
        // A person sets a call off when it has no agent, or when the agent's parent is the person.
        let byPerson = event.agent == nil || event.parent == event.user
        let reason = ProgressReason.of(
            StreamEvidence(
                novelty: observation.novelty, context: observation.context, accumulating: observation.accumulating,
                sameResult: observation.sameResult, personPaced: byPerson && observation.paced))
        return CallProgress(
            novelty: observation.novelty, reason: reason, inAgentChain: inAgentChain,
            resentAtSameSize: observation.resentAtSameSize && !observation.accumulating)
    }

    /// Forgets streams quiet for longer than ``ContentMemory/window`` before `now`.
    mutating func expire(at now: EventTime) {
        streams.removeInactive(before: now - .milliseconds(ContentMemory.window))
    }

    func split(into count: Int, by shard: (String) -> Int) -> [ProgressTracker] {
        streams.split(into: count, by: shard).map { part in
            var tracker = ProgressTracker()
            tracker.streams = part
            return tracker
        }
    }

    mutating func evictIdlest(limit: Int) -> Int {
        streams.removeLeastRecentlyActive(keeping: limit)
    }
}
