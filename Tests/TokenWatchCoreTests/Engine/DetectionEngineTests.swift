import Testing
import TokenWatchSimulation

@testable import TokenWatchCore

@Suite("Detection engine")
struct DetectionEngineTests {
    static let generated = generate(.office)

    static func generate(_ population: TrafficGenerator.Population) -> TrafficGenerator.Generated {
        var options = TrafficGenerator.Options()
        options.people = 20
        options.days = 2
        options.seed = 11
        options.population = population
        return TrafficGenerator(options: options).generate()
    }

    func replay(_ payloads: [String]) -> [Alert] {
        let decoder = EventDecoder()
        var engine = DetectionEngine(configuration: TokenWatchConfiguration())
        var alerts: [Alert] = []
        for payload in payloads {
            engine.process(try! decoder.decode(payload).get(), into: &alerts)
        }
        return alerts
    }

    @Test func theSameEventsGiveTheSameAlerts() {
        let payloads = Self.generated.events.map(\.payload)
        let first = replay(payloads)
        let second = replay(payloads)
        #expect(!first.isEmpty)
        #expect(first.map(\.jsonPayload) == second.map(\.jsonPayload))
        #expect(first.map(\.seq) == Array(0..<UInt64(first.count)))
    }

    /// In each population every injected incident is found, no alert fires on busywork that was not injected,
    /// and people with honest traffic only get none; between them, the two populations inject every
    /// detector's busywork.
    @Test(arguments: TrafficGenerator.Population.allCases)
    func everyDetectorFindsItsInjectedIncidentsAndNothingElse(population: TrafficGenerator.Population) {
        let generated = population == .office ? Self.generated : Self.generate(population)
        let alerts = replay(generated.events.map(\.payload))
        let digests = alerts.map {
            AlertDigest(
                detector: $0.detector, state: $0.state, incident: $0.incident, user: $0.subject.user,
                agent: $0.subject.agent, time: $0.time)
        }
        let score = IncidentScore(labels: generated.labels, alerts: digests)
        for detector in DetectorName.allCases {
            let result = score.detectors[detector]!
            #expect(
                result.found == result.injected,
                "\(detector.rawValue) missed \(score.missed.filter { $0.detector == detector })")
        }
        #expect(score.falseAlarms.isEmpty)
        // No alert at all on the people with honest traffic only.
        let control = Set(generated.controlUsers)
        #expect(!control.isEmpty)
        #expect(alerts.allSatisfy { !control.contains($0.subject.user ?? "") })
    }

    @Test func betweenThePopulationsEveryDetectorHasBusyworkInjected() {
        let injected = Set((Self.generated.labels + Self.generate(.agentic).labels).map(\.detector))
        #expect(injected == Set(DetectorName.allCases))
    }

    @Test func everyFiringIncidentIsResolvedOnceAfterItClears() {
        let alerts = replay(Self.generated.events.map(\.payload))
        let firingIncidents = Set(alerts.filter { $0.state == .firing }.map(\.incident))
        let resolved = alerts.filter { $0.state == .resolved }.map(\.incident)
        #expect(Set(resolved).count == resolved.count)
        // Incidents still open at the end of the traffic are the only ones not resolved.
        #expect(Set(resolved).isSubset(of: firingIncidents))
        #expect(firingIncidents.count - resolved.count <= 1)
    }

    @Test func noAlertEverContainsPromptText() {
        // Prompts of four words and more: "ok" or "next" occur inside ordinary words of any text.
        let prompts = Self.generated.events.compactMap { payload -> String? in
            guard let range = payload.payload.range(of: #""prompt":""#) else { return nil }
            let rest = payload.payload[range.upperBound...]
            let prompt = String(rest[..<rest.firstIndex(of: "\"")!])
            return prompt.split(separator: " ").count >= 4 ? prompt : nil
        }
        let text = replay(Self.generated.events.map(\.payload)).map(\.jsonPayload).joined(separator: "\n")
        #expect(!prompts.isEmpty)
        #expect(prompts.allSatisfy { !text.contains($0) })
    }
}
