/// Work a detector must not alert on (a sanctioned batch job, a load test), matched on the event's user,
/// agent and/or tool (every one given must match), until it expires (event time).
public struct Allowance: Sendable, Equatable {
    public var user: String?
    public var agent: String?
    public var tool: String?
    /// The detectors that leave this work alone; empty means all of them.
    public var detectors: Set<DetectorName>
    public var reason: String
    public var expires: EventTime

    public init(
        user: String? = nil, agent: String? = nil, tool: String? = nil, detectors: Set<DetectorName> = [],
        reason: String, expires: EventTime
    ) {
        self.user = user
        self.agent = agent
        self.tool = tool
        self.detectors = detectors
        self.reason = reason
        self.expires = expires
    }

    public func covers(_ event: TokenEvent) -> Bool {
        event.time < expires && (user == nil || user == event.user) && (agent == nil || agent == event.agent)
            && (tool == nil || tool == event.tool)
    }
}
