/// Every detector and the alert lifecycle behind one entry point: events in, alerts out.
///
/// A value type with no I/O and no clock: time comes from the events. The runtime owns one engine on its
/// ingest thread; `replay` owns one in the command; tests drive one directly.
public struct DetectionEngine: Sendable {
    public private(set) var configuration: TokenWatchConfiguration
    private var repetitivePrompts: RepetitivePromptsDetector
    private var offHoursBurst: OffHoursBurstDetector
    private var agentLoop: AgentLoopDetector
    private var lifecycle: AlertLifecycle
    /// The latest event time seen.
    public private(set) var watermark: EventTime?
    /// Counts every alert produced, from 0: the alerts' `seq`.
    public private(set) var nextSequence: UInt64 = 0
    public private(set) var eventsProcessed: UInt64 = 0
    private var nextSweep = EventTime(milliseconds: .min)
    private var findings: [Finding] = []

    /// How often, in event time, state that fell out of every window is dropped.
    static let sweepInterval: Duration = .seconds(300)

    public init(configuration: TokenWatchConfiguration) {
        self.configuration = configuration
        repetitivePrompts = RepetitivePromptsDetector(configuration: configuration.repetitivePrompts)
        offHoursBurst = OffHoursBurstDetector(configuration: configuration.offHoursBurst)
        agentLoop = AgentLoopDetector(configuration: configuration.agentLoop)
        lifecycle = AlertLifecycle(configuration: configuration.alerts)
    }

    /// Runs one event through every detector; appends the alerts it causes, numbered, in publication order.
    public mutating func process(_ event: TokenEvent, into alerts: inout [Alert]) {
        eventsProcessed += 1
        let now = max(watermark ?? event.time, event.time)
        watermark = now
        let firstNew = alerts.count

        // Incidents that cleared before this event are resolved before anything it causes.
        lifecycle.resolveCleared(now: now, into: &alerts)
        if now >= nextSweep {
            repetitivePrompts.expire(now: now)
            offHoursBurst.expire(now: now)
            agentLoop.expire(now: now)
            nextSweep = now + Self.sweepInterval
        }

        findings.removeAll(keepingCapacity: true)
        repetitivePrompts.ingest(event, into: &findings)
        offHoursBurst.ingest(event, into: &findings)
        agentLoop.ingest(event, into: &findings)
        for finding in findings { lifecycle.observe(finding, into: &alerts) }

        for index in firstNew..<alerts.count {
            alerts[index].seq = nextSequence
            nextSequence += 1
        }
    }

    /// Subjects currently tracked by each detector.
    public var trackedSubjects: [DetectorName: Int] {
        [
            .repetitivePrompts: repetitivePrompts.trackedSubjects,
            .offHoursBurst: offHoursBurst.trackedSubjects,
            .agentLoop: agentLoop.trackedSubjects,
        ]
    }

    public var openIncidents: Int { lifecycle.openIncidents }
}
