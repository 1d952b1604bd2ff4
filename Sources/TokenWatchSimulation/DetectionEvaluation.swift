import Foundation
import TokenWatchCore

/// The labelled evaluation: generated workplaces with injected busywork, replayed through the detectors, and
/// scored per detector (precision, recall, delay in event time), plus an injection-free control run in which
/// any alert is a false alarm. What `tokenwatch evaluate` reports and `docs/DETECTION.md` publishes.
public struct DetectionEvaluation: Sendable {
    public struct Options: Sendable {
        public var people = 200
        public var days = 14
        public var seeds: [UInt64] = [1, 2, 3]
        public var population = TrafficGenerator.Population.office

        public init() {}
    }

    /// What the generated honest traffic looked like, so that a reader can judge how hard it was.
    public struct TrafficProfile: Sendable {
        public var events = 0
        public var people = 0
        public var timeZones = 0
        /// Per person, the share of their own (non-agent) calls outside 09:00–18:00 on weekdays, local time.
        public var medianOffHoursShare = 0.0
        public var lowestOffHoursShare = 0.0
        public var highestOffHoursShare = 0.0
        public var agentEvents = 0
    }

    public struct Result: Sendable {
        public var scores: [DetectorName: IncidentScore.DetectorScore] = [:]
        public var missed: [TrafficGenerator.Label] = []
        public var falseAlarms: [AlertDigest] = []
        /// Firing incidents on people who had no busywork injected, in the workplace runs.
        public var controlAlerts = 0
        public var controlPeople = 0
        /// Firing incidents in the injection-free runs.
        public var legitimateRunAlerts = 0
        public var profile = TrafficProfile()
        /// Generated events the admission rule refused (none, unless the configuration's limits are tighter
        /// than the generator's traffic).
        public var rejected = RejectionCounts()
    }

    public let configuration: TokenWatchConfiguration
    public let options: Options

    public init(configuration: TokenWatchConfiguration, options: Options) {
        self.configuration = configuration
        self.options = options
    }

    public func run() -> Result {
        var result = Result()
        for detector in DetectorName.allCases { result.scores[detector] = IncidentScore.DetectorScore() }
        var shares: [Double] = []
        var zones: Set<String> = []
        for seed in options.seeds {
            var generatorOptions = TrafficGenerator.Options()
            generatorOptions.people = options.people
            generatorOptions.days = options.days
            generatorOptions.seed = seed
            generatorOptions.population = options.population
            let generated = TrafficGenerator(options: generatorOptions).generate()
            let alerts = replay(generated.events, rejected: &result.rejected)
            let score = IncidentScore(labels: generated.labels, alerts: alerts)
            for (detector, detectorScore) in score.detectors {
                var total = result.scores[detector]!
                total.injected += detectorScore.injected
                total.found += detectorScore.found
                total.truePositives += detectorScore.truePositives
                total.falsePositives += detectorScore.falsePositives
                total.onOtherBusywork += detectorScore.onOtherBusywork
                total.delaysSeconds += detectorScore.delaysSeconds
                result.scores[detector] = total
            }
            result.missed += score.missed
            result.falseAlarms += score.falseAlarms
            let control = Set(generated.controlUsers)
            result.controlPeople += control.count
            result.controlAlerts +=
                Set(alerts.filter { $0.state == .firing && control.contains($0.user ?? "") }.map(\.incident)).count

            generatorOptions.scenario = .legitimate
            let honest = TrafficGenerator(options: generatorOptions).generate()
            result.legitimateRunAlerts +=
                Set(replay(honest.events, rejected: &result.rejected).filter { $0.state == .firing }.map(\.incident))
                .count

            let profile = Self.profile(generated.events, labels: generated.labels)
            result.profile.events += profile.events
            result.profile.agentEvents += profile.agentEvents
            result.profile.people = max(result.profile.people, profile.people)
            shares += profile.shares
            zones.formUnion(profile.zones)
        }
        shares.sort()
        if !shares.isEmpty {
            result.profile.medianOffHoursShare = shares[shares.count / 2]
            result.profile.lowestOffHoursShare = shares.first!
            result.profile.highestOffHoursShare = shares.last!
        }
        result.profile.timeZones = zones.count
        return result
    }

    private func replay(_ events: [TrafficGenerator.GeneratedEvent], rejected: inout RejectionCounts) -> [AlertDigest] {
        let decoder = EventDecoder(limits: configuration.events.limits)
        var engine = DetectionEngine(configuration: configuration)
        var alerts: [Alert] = []
        for event in events {
            var decoded = DecodedEvent(decoder.decode(event.payload))
            if let rejection = engine.admit(&decoded, into: &alerts) { rejected.record(rejection) }
        }
        return alerts.map {
            AlertDigest(
                detector: $0.detector, state: $0.state, incident: $0.incident, user: $0.subject.user,
                agent: $0.subject.agent, time: $0.time)
        }
    }

    /// Per person off-hours shares of their direct calls, outside injected incidents.
    private static func profile(_ events: [TrafficGenerator.GeneratedEvent], labels: [TrafficGenerator.Label])
        -> (events: Int, agentEvents: Int, people: Int, shares: [Double], zones: Set<String>)
    {
        let decoder = EventDecoder()
        var detector = OffHoursBurstDetector(configuration: OffHoursBurstConfiguration())
        var counts: [String: (off: Int, all: Int)] = [:]
        var zones: Set<String> = []
        var agentEvents = 0
        let injected = Dictionary(grouping: labels, by: \.user)
        for event in events {
            guard case .success(let decoded) = decoder.decode(event.payload) else { continue }
            if let zone = decoded.timeZone { zones.insert(zone) }
            if decoded.agent != nil {
                agentEvents += 1
                continue
            }
            if injected[decoded.user]?.contains(where: { decoded.time >= $0.start && decoded.time <= $0.end }) == true {
                continue
            }
            let off = detector.isOffHours(decoded.time, timeZone: decoded.timeZone)
            counts[decoded.user, default: (0, 0)].all += 1
            if off { counts[decoded.user, default: (0, 0)].off += 1 }
        }
        let shares = counts.values.filter { $0.all > 0 }.map { Double($0.off) / Double($0.all) }
        return (events.count, agentEvents, counts.count, shares, zones)
    }
}
