import Testing
import TokenWatchSimulation

@testable import TokenWatchCore

@Suite("Finding details")
struct FindingDetailsTests {
    /// A finding's figures, summary and evidence are worked out only when an alert is made from it, which can be
    /// long after the detector made it (a resolved alert repeats the last finding's text after a quiet period).
    /// By then the detector has moved on: its windows, counts and evidence changed with every later event. So
    /// each finding's details, read the moment it is made, must read the same once the detector has taken the
    /// rest of the traffic: in both generated populations, which between them inject every detector's busywork.
    @Test func aFindingSaysLaterWhatItSaidWhenItWasMade() throws {
        struct Check: DetectorVisitor {
            let events: [TokenEvent]
            /// The progress measure's verdict on each event, as the engine hands it to every detector.
            let progress: [CallProgress]
            var made: [DetectorName: Int] = [:]
            var changed: [String] = []
            mutating func visit<D: Detector>(_ detector: inout D, with _: Void) {
                var seen: [(finding: Finding, details: FindingDetails)] = []
                for (event, progress) in zip(events, progress) {
                    var findings: [Finding] = []
                    detector.ingest(event, progress: progress, into: &findings)
                    seen += findings.map { ($0, $0.details) }
                }
                made[D.name, default: 0] += seen.count
                for (finding, details) in seen where finding.details != details {
                    changed.append("\(D.name.rawValue) at \(finding.time.milliseconds): \(details.summary)")
                }
            }
        }
        let decoder = EventDecoder()
        var made: [String: Int] = [:]
        for population in TrafficGenerator.Population.allCases {
            let options = TrafficGenerator.Options(population: population, people: 30, days: 2, seed: 23)
            let events = try TrafficGenerator(options: options).generate().events.map {
                try decoder.decode($0.payload).get()
            }
            var tracker = ProgressTracker()
            let progress = events.map { tracker.observe($0, keys: EventKeys(of: $0), arrivedAt: $0.time) }
            var suite = DetectorSuite()
            var check = Check(events: events, progress: progress)
            suite.forEach(&check)
            #expect(check.changed.isEmpty, "\(population): \(check.changed.prefix(3))")
            for (name, count) in check.made { made[name.rawValue, default: 0] += count }
        }
        // The check means something only where findings were made and repeated: by every detector.
        #expect(made.count == DetectorSuite.names.count, "findings by detector: \(made)")
        #expect(made.values.allSatisfy { $0 >= 2 }, "findings by detector: \(made)")
    }

    /// Given details are returned as given, and two findings differ when their details do.
    @Test func detailsTakePartInEquality() {
        func finding(summary: String) -> Finding {
            Finding(
                detector: .trivialFlood, key: "ann", subject: AlertSubject(user: "ann"),
                time: EventTime(milliseconds: 60_000), windowStart: EventTime(milliseconds: 0),
                observed: [("trivial_calls", .integer(40))], threshold: [("min_calls", .integer(40))], excess: 1,
                summary: summary, evidence: ["e1", "e2"])
        }
        let first = finding(summary: "40 trivial prompts")
        #expect(first.summary == "40 trivial prompts")
        #expect(first.evidence == ["e1", "e2"])
        #expect(first == finding(summary: "40 trivial prompts"))
        #expect(first != finding(summary: "41 trivial prompts"))
    }
}
