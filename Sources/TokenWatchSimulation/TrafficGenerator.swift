import Foundation
import TokenWatchCore

/// Synthetic traffic of a workplace on an agent platform: honest people and agents, plus injected busywork
/// of each kind, with labels saying what was injected where. Deterministic for a seed.
///
/// The honest traffic is meant to be hard: people in many time zones whose share of off-hours work varies
/// from little to most, night owls, power users, regenerated and templated prompts, on-call nights, and
/// scheduled agent pipelines that run day and night with occasional retries.
public struct TrafficGenerator: Sendable {
    public enum Scenario: String, Sendable, CaseIterable {
        /// Honest traffic with every kind of busywork injected.
        case workplace
        /// Honest traffic only: any alert on it is a false alarm.
        case legitimate
    }

    public enum Population: String, Sendable, CaseIterable {
        /// Office staff chatting with assistants, and scheduled team pipelines.
        case office
        /// The same, plus the agentic work of 2026 (see `TrafficGenerator+Agentic.swift`) and the busywork
        /// that hides among it.
        case agentic
    }

    public struct Options: Sendable {
        public var scenario = Scenario.workplace
        public var population = Population.office
        public var seed: UInt64 = 1
        public var people = 40
        public var days = 3
        /// Midnight UTC of the first day; default Monday 2026-11-02.
        public var start = EventTime(milliseconds: 1_793_577_600_000)
        /// A team (one of ``TrafficGenerator/teams(people:)``) that runs the busywork: in the agentic
        /// population its people do no agentic work of their own and run one incident a day each, the kind
        /// cycling through every kind; in the office population the incidents go to its people only. `nil`
        /// spreads the busywork over everyone. What the per-team report is shown on: one team that churns
        /// among teams that do not.
        public var busyworkTeam: String?

        public init() {}

        /// A workplace of `people` over `days`, the rest as by default.
        public init(population: Population, people: Int, days: Int, seed: UInt64) {
            self.population = population
            self.people = people
            self.days = days
            self.seed = seed
        }
    }

    public struct GeneratedEvent: Sendable {
        public var time: EventTime
        /// One JSON object, as published on the wire.
        public var payload: String
    }

    /// One injected incident: the detector that should fire, on whom, and when.
    public struct Label: Sendable, Equatable {
        public var detector: DetectorName
        public var kind: String
        public var user: String
        public var agent: String?
        public var start: EventTime
        public var end: EventTime

        public var jsonLine: String {
            var json = JSONWriter()
            json.beginObject()
            json.string(detector.rawValue, key: "detector")
            json.string(kind, key: "kind")
            json.string(user, key: "user")
            if let agent { json.string(agent, key: "agent") }
            json.string(start.rfc3339, key: "start")
            json.string(end.rfc3339, key: "end")
            json.endObject()
            return json.text
        }
    }

    public let options: Options

    public init(options: Options) { self.options = options }

    /// The team of the person at `index`: ten people each, `team-1`, `team-2`, …
    static func team(ofPerson index: Int) -> String { "team-\(index / 10 + 1)" }

    /// The teams of a workplace of `people`.
    public static func teams(people: Int) -> [String] {
        stride(from: 0, to: people, by: 10).map(team(ofPerson:))
    }

    /// The whole scenario, events in time order with ids assigned, and the labels of injected incidents.
    public typealias Generated = (events: [GeneratedEvent], labels: [Label], controlUsers: [String])

    public func generate() -> Generated {
        var random = SeededRandom(seed: options.seed)
        var drafts: [Draft] = []
        let people = (0..<options.people).map { Person.make(index: $0, random: &random) }
        var labels: [Label] = []
        var injected: Set<String> = []
        if options.population == .agentic {
            generateAgentic(people, random: &random, drafts: &drafts, labels: &labels, injected: &injected)
        } else {
            for person in people {
                for day in 0..<options.days { personDay(person, day: day, random: &random, into: &drafts) }
            }
            teamAgents(people, random: &random, into: &drafts)
            if options.scenario == .workplace {
                inject(people: people, random: &random, drafts: &drafts, labels: &labels, injected: &injected)
            }
        }

        drafts.sort { ($0.time, $0.order) < ($1.time, $1.order) }
        var events: [GeneratedEvent] = []
        events.reserveCapacity(drafts.count)
        for (index, draft) in drafts.enumerated() {
            events.append(GeneratedEvent(time: draft.time, payload: draft.payload(id: "ev-\(index + 1)")))
        }
        let control = people.map(\.id).filter { !injected.contains($0) }
        return (events, labels.sorted { $0.start < $1.start }, control)
    }

    /// Per team, a mail pipeline and a status agent, owned by its first members.
    func teamAgents(_ people: [Person], random: inout SeededRandom, into drafts: inout [Draft]) {
        let teams = Set(people.map(\.team)).sorted()
        for team in teams {
            let members = people.filter { $0.team == team }
            scheduledPipeline(team: team, owner: members[0], random: &random, into: &drafts)
            if members.count > 1 { statusAgent(team: team, owner: members[1], random: &random, into: &drafts) }
        }
    }

    /// The agentic population: who gets which busywork is drawn first, so that the people whose busywork is
    /// measured against their own volume (padding, night bursts) are not also running 30M-token coding
    /// sessions that hour; then everyone's honest days, the team agents, and the busywork.
    func generateAgentic(
        _ people: [Person], random: inout SeededRandom, drafts: inout [Draft], labels: inout [Label],
        injected: inout Set<String>
    ) {
        var habits = people.map { self.habits(of: $0, random: &random) }
        var plan: [(person: Int, shape: (DetectorName, String), day: Int)] = []
        if options.scenario == .workplace {
            var candidates = Array(people.indices).shuffled(using: &random)
            if let team = options.busyworkTeam {
                plan = busyTeamPlan(people.indices.filter { people[$0].team == team }, habits: &habits)
                candidates = []
            }
            for _ in 0..<max(1, options.people / 20) {
                for shape in Self.agenticShapes + Self.churnShapes {
                    guard let index = candidates.popLast() else { break }
                    let volumeShape = Self.isVolumeShape(shape)
                    // Volume is judged against the person's own history: two days of it first (one day leaves
                    // a newcomer on their team's prior, which agentic teams set high).
                    let earliest = min(volumeShape ? 2 : 1, options.days - 1)
                    let day = Int.random(in: earliest...(options.days - 1), using: &random)
                    if volumeShape {
                        habits[index] = .none
                    }
                    habits[index].firstDay = min(habits[index].firstDay, day)
                    plan.append((index, shape, day))
                }
            }
        }
        for (index, person) in people.enumerated() {
            for day in habits[index].firstDay..<options.days {
                personDay(person, day: day, random: &random, into: &drafts)
                agenticDay(person, habits[index], day: day, random: &random, into: &drafts)
            }
        }
        teamAgents(people, random: &random, into: &drafts)
        for (number, entry) in plan.enumerated() {
            let person = people[entry.person]
            injected.insert(person.id)
            labels.append(
                injectAgentic(entry.shape, on: person, day: entry.day, number: number, random: &random, into: &drafts))
        }
    }

    // MARK: Honest traffic

    func personDay(_ person: Person, day: Int, random: inout SeededRandom, into drafts: inout [Draft]) {
        let midnight = person.localMidnight(options.start, day: day)
        let weekday = (CivilDate.weekday(days: options.start.milliseconds / 86_400_000) + day) % 7
        let isWorkday = weekday < 5
        let sessions = Int.random(in: 2...4, using: &random)
        for _ in 0..<sessions {
            let offHours = random.chance(person.offHoursShare)
            var startMinute: Int
            if person.kind == .nightOwl {
                startMinute =
                    offHours || !isWorkday
                    ? Int.random(in: 20 * 60...25 * 60, using: &random)
                    : Int.random(in: 10 * 60...17 * 60, using: &random)
                if !isWorkday && !offHours { continue }
            } else if offHours {
                // Evenings, early mornings, or any time of a weekend day.
                startMinute = random.pick([
                    Int.random(in: 18 * 60...23 * 60, using: &random),
                    Int.random(in: 6 * 60...8 * 60, using: &random),
                    Int.random(in: 10 * 60...21 * 60, using: &random),
                ])
            } else {
                guard isWorkday else { continue }
                startMinute = Int.random(in: 9 * 60...17 * 60, using: &random)
            }
            let length = Int.random(in: 15...75, using: &random)
            session(
                person, from: midnight + .seconds(Int64(startMinute) * 60), minutes: length, random: &random,
                into: &drafts)
        }
        // On-call: now and then a short night of incident work.
        if person.kind == .onCall && random.chance(0.3) {
            let start = midnight + .seconds(Int64(Int.random(in: 1 * 60...4 * 60, using: &random)) * 60)
            session(
                person, from: start, minutes: Int.random(in: 20...60, using: &random), random: &random, into: &drafts)
        }
    }

    func session(
        _ person: Person, from start: EventTime, minutes: Int, random: inout SeededRandom, into drafts: inout [Draft]
    ) {
        let sessionID = "s-\(person.id)-\(start.milliseconds / 60_000)"
        var time = start
        let end = start + .seconds(Int64(minutes) * 60)
        var previousPrompt: String?
        var regenerations = 0
        while time < end {
            var prompt: String
            if let previous = previousPrompt, regenerations < 2, random.chance(0.12) {
                // Regenerating an answer: the same prompt, once or twice.
                prompt = previous
                regenerations += 1
            } else if random.chance(0.04) {
                // People also say "continue" or "thanks" now and then.
                prompt = random.pick(Vocabulary.trivial)
                regenerations = 0
            } else if random.chance(0.15) {
                prompt =
                    "Summarize the thread about "
                    + Vocabulary.phrase(words: Int.random(in: 2...4, using: &random), random: &random)
                regenerations = 0
            } else {
                prompt = Vocabulary.sentence(random: &random)
                regenerations = 0
            }
            previousPrompt = prompt
            var draft = Draft(for: person, at: time, order: random.next())
            draft.session = sessionID
            draft.model = random.pick(["gpt-5", "claude-opus", "gemini-pro", "local-llama"])
            draft.input = Int64.random(in: person.inputTokens, using: &random)
            draft.output = Int64.random(in: 80...1500, using: &random)
            draft.prompt = prompt
            draft.epochMillis = random.chance(0.1)
            drafts.append(draft)
            time =
                time
                + .milliseconds(
                    Int64(Double(person.meanIntervalSeconds) * 1000 * Double.random(in: 0.3...1.7, using: &random)))
        }
    }

    /// A team's mail triage → summarize pipeline every 15 minutes, day and night, with occasional retries.
    func scheduledPipeline(team: String, owner: Person, random: inout SeededRandom, into drafts: inout [Draft]) {
        let triage = "triage-\(team)"
        let summarize = "summarize-\(team)"
        var time = options.start + .seconds(Int64.random(in: 0..<900, using: &random))
        let end = options.start + .seconds(Int64(options.days) * 86400)
        while time < end {
            var steps: [(agent: String, parent: String)] = [(triage, owner.id)]
            if random.chance(0.05) { steps.append((triage, triage)) }  // a retry
            steps.append((summarize, triage))
            var stepTime = time
            for step in steps {
                var draft = Draft(time: stepTime, order: random.next(), user: owner.id)
                draft.team = team
                draft.timeZone = owner.timeZone
                draft.agent = step.agent
                draft.parent = step.parent
                draft.model = "gpt-5-mini"
                draft.input = Int64.random(in: 600...2500, using: &random)
                draft.output = Int64.random(in: 100...400, using: &random)
                draft.promptHash = Vocabulary.hash(random: &random)
                draft.outputHash = Vocabulary.hash(random: &random)
                draft.tool = "mail"
                drafts.append(draft)
                stepTime = stepTime + .seconds(Int64.random(in: 20...90, using: &random))
            }
            time = time + .seconds(900)
        }
    }

    /// A team's status agent: the same prompt text every 15 minutes, day and night, four times an hour.
    func statusAgent(team: String, owner: Person, random: inout SeededRandom, into drafts: inout [Draft]) {
        var time = options.start + .seconds(Int64.random(in: 0..<900, using: &random))
        let end = options.start + .seconds(Int64(options.days) * 86400)
        while time < end {
            var draft = Draft(
                time: time + .seconds(Int64.random(in: 0...20, using: &random)), order: random.next(), user: owner.id)
            draft.team = team
            draft.timeZone = owner.timeZone
            draft.agent = "status-\(team)"
            draft.parent = "scheduler"
            draft.model = "gpt-5-mini"
            draft.input = Int64.random(in: 400...900, using: &random)
            draft.output = Int64.random(in: 80...300, using: &random)
            draft.prompt = "Check the nightly build and deployment status for \(team) and list any failures"
            drafts.append(draft)
            time = time + .seconds(900)
        }
    }
}
