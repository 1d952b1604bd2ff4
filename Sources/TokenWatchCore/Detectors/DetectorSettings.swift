/// Every detector's settings: the defaults for everyone (`detectors:`), and each override's.
public struct DetectorSettings: Sendable, Equatable {
    public var repetitivePrompts = RepetitivePromptsConfiguration()
    public var offHoursBurst = OffHoursBurstConfiguration()
    public var agentLoop = AgentLoopConfiguration()
    public var scriptedCadence = ScriptedCadenceConfiguration()
    public var trivialFlood = TrivialFloodConfiguration()

    public init() {}
}
