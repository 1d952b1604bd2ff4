/// What a scorer needs of a published alert.
public struct AlertDigest: Sendable, Equatable {
    public var detector: DetectorName
    public var state: AlertState
    public var incident: String
    public var user: String?
    public var agent: String?
    public var time: EventTime

    public init(
        detector: DetectorName, state: AlertState, incident: String, user: String?, agent: String?, time: EventTime
    ) {
        self.detector = detector
        self.state = state
        self.incident = incident
        self.user = user
        self.agent = agent
        self.time = time
    }
}
