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

    public struct Options: Sendable {
        public var scenario = Scenario.workplace
        public var seed: UInt64 = 1
        public var people = 40
        public var days = 3
        /// Midnight UTC of the first day; default Monday 2026-11-02.
        public var start = EventTime(milliseconds: 1_793_577_600_000)

        public init() {}
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

    /// The whole scenario, events in time order with ids assigned, and the labels of injected incidents.
    public func generate() -> (events: [GeneratedEvent], labels: [Label], controlUsers: [String]) {
        var random = SeededRandom(seed: options.seed)
        var drafts: [Draft] = []
        let people = (0..<options.people).map { Person.make(index: $0, random: &random) }
        for person in people {
            for day in 0..<options.days { personDay(person, day: day, random: &random, into: &drafts) }
        }
        let teams = Set(people.map(\.team)).sorted()
        for team in teams {
            let members = people.filter { $0.team == team }
            scheduledPipeline(team: team, owner: members[0], random: &random, into: &drafts)
            if members.count > 1 { statusAgent(team: team, owner: members[1], random: &random, into: &drafts) }
        }

        var labels: [Label] = []
        var injected: Set<String> = []
        if options.scenario == .workplace {
            inject(people: people, random: &random, drafts: &drafts, labels: &labels, injected: &injected)
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

    // MARK: Honest traffic

    private func personDay(_ person: Person, day: Int, random: inout SeededRandom, into drafts: inout [Draft]) {
        let midnight = person.localMidnight(options.start, day: day)
        let weekday = (CivilDate.weekday(days: options.start.milliseconds / 86_400_000) + day) % 7
        let isWorkday = weekday < 5
        let sessions = Int.random(in: 2...4, using: &random)
        for _ in 0..<sessions {
            let offHours = random.chance(person.offHoursShare)
            var startMinute: Int
            if person.kind == .nightOwl {
                startMinute = offHours || !isWorkday ? Int.random(in: 20 * 60...25 * 60, using: &random) : Int.random(in: 10 * 60...17 * 60, using: &random)
                if !isWorkday && !offHours { continue }
            } else if offHours {
                // Evenings, early mornings, or any time of a weekend day.
                startMinute = random.pick([Int.random(in: 18 * 60...23 * 60, using: &random),
                                           Int.random(in: 6 * 60...8 * 60, using: &random),
                                           Int.random(in: 10 * 60...21 * 60, using: &random)])
            } else {
                guard isWorkday else { continue }
                startMinute = Int.random(in: 9 * 60...17 * 60, using: &random)
            }
            let length = Int.random(in: 15...75, using: &random)
            session(person, from: midnight + .seconds(Int64(startMinute) * 60), minutes: length, random: &random, into: &drafts)
        }
        // On-call: now and then a short night of incident work.
        if person.kind == .onCall && random.chance(0.3) {
            let start = midnight + .seconds(Int64(Int.random(in: 1 * 60...4 * 60, using: &random)) * 60)
            session(person, from: start, minutes: Int.random(in: 20...60, using: &random), random: &random, into: &drafts)
        }
    }

    private func session(_ person: Person, from start: EventTime, minutes: Int, random: inout SeededRandom, into drafts: inout [Draft]) {
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
                prompt = "Summarize the thread about " + Vocabulary.phrase(words: Int.random(in: 2...4, using: &random), random: &random)
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
            time = time + .milliseconds(Int64(Double(person.meanIntervalSeconds) * 1000 * Double.random(in: 0.3...1.7, using: &random)))
        }
    }

    /// A team's mail triage → summarize pipeline every 15 minutes, day and night, with occasional retries.
    private func scheduledPipeline(team: String, owner: Person, random: inout SeededRandom, into drafts: inout [Draft]) {
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
    private func statusAgent(team: String, owner: Person, random: inout SeededRandom, into drafts: inout [Draft]) {
        var time = options.start + .seconds(Int64.random(in: 0..<900, using: &random))
        let end = options.start + .seconds(Int64(options.days) * 86400)
        while time < end {
            var draft = Draft(time: time + .seconds(Int64.random(in: 0...20, using: &random)), order: random.next(), user: owner.id)
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

    // MARK: Injected busywork

    private func inject(people: [Person], random: inout SeededRandom, drafts: inout [Draft], labels: inout [Label], injected: inout Set<String>) {
        // One incident of each shape per twenty people, at least one each, each on a different person; the
        // rest of the people are controls with honest traffic only.
        let rounds = max(1, options.people / 20)
        var candidates = people.shuffled(using: &random)
        func nextPerson() -> Person? { candidates.popLast() }
        let shapes: [(DetectorName, String)] = [
            (.repetitivePrompts, "exact"), (.repetitivePrompts, "trivial_variants"), (.repetitivePrompts, "reworded"),
            (.offHoursBurst, "night"), (.offHoursBurst, "weekend"),
            (.agentLoop, "self_trigger"), (.agentLoop, "cycle2"), (.agentLoop, "cycle3"), (.agentLoop, "output_feedback"),
            (.scriptedCadence, "cron"), (.trivialFlood, "continue"),
        ]
        var counter = 0
        for _ in 0..<rounds {
            for (detector, kind) in shapes {
                guard let person = nextPerson() else { return }
                injected.insert(person.id)
                counter += 1
                // Bursts need a day of history first, so their baseline is the person's own.
                let day = detector == .offHoursBurst ? Int.random(in: min(1, options.days - 1)...(options.days - 1), using: &random)
                    : Int.random(in: 0...(options.days - 1), using: &random)
                let label: Label
                switch detector {
                case .repetitivePrompts:
                    label = injectRepeats(person, day: day, kind: kind, random: &random, into: &drafts)
                case .offHoursBurst:
                    label = injectBurst(person, day: day, kind: kind, random: &random, into: &drafts)
                case .agentLoop:
                    label = injectLoop(person, day: day, kind: kind, number: counter, random: &random, into: &drafts)
                case .scriptedCadence:
                    label = injectCadence(person, day: day, random: &random, into: &drafts)
                case .trivialFlood:
                    label = injectTrivialFlood(person, day: day, random: &random, into: &drafts)
                default:
                    preconditionFailure("no busywork shape for \(detector)")
                }
                labels.append(label)
            }
        }
    }

    private func injectRepeats(_ person: Person, day: Int, kind: String, random: inout SeededRandom, into drafts: inout [Draft]) -> Label {
        let start = person.localMidnight(options.start, day: day) + .seconds(Int64(Int.random(in: 9 * 60...16 * 60, using: &random)) * 60)
        let base = Vocabulary.words(count: Int.random(in: 10...16, using: &random), random: &random)
        let count = Int.random(in: 20...45, using: &random)
        var time = start
        for n in 0..<count {
            var words = base
            switch kind {
            case "trivial_variants":
                // Case, punctuation and numbers change; the words do not.
                words[0] = words[0].capitalized
                words.insert("#\(n + 1)", at: Int.random(in: 0...words.count, using: &random))
                if random.chance(0.5) { words[words.count - 1] += "!!" }
            case "reworded":
                let edit = Int.random(in: 0..<3, using: &random)
                let at = Int.random(in: 1..<(words.count - 1), using: &random)
                if edit == 0 { words.remove(at: at) }
                else if edit == 1 { words.swapAt(at, at + 1) }
                else { words.insert(random.pick(["please", "quickly", "again", "now", "kindly"]), at: at) }
            default: break
            }
            var draft = Draft(for: person, at: time, order: random.next())
            draft.model = "gpt-5"
            draft.input = Int64.random(in: 300...1200, using: &random)
            draft.output = Int64.random(in: 100...600, using: &random)
            draft.prompt = words.joined(separator: " ")
            drafts.append(draft)
            if n < count - 1 { time = time + .milliseconds(Int64.random(in: 30_000...100_000, using: &random)) }
        }
        return Label(detector: .repetitivePrompts, kind: kind, user: person.id, start: start, end: time)
    }

    private func injectBurst(_ person: Person, day: Int, kind: String, random: inout SeededRandom, into drafts: inout [Draft]) -> Label {
        // A night (local 00:30 to 03:00) or, for the weekend shape, a Saturday or Sunday from 11:00 to 19:00.
        var start: EventTime
        let firstWeekday = CivilDate.weekday(days: options.start.milliseconds / 86_400_000)
        let weekendDays = (1..<options.days).filter { (firstWeekday + $0) % 7 >= 5 }
        if kind == "weekend" {
            if let weekendDay = weekendDays.randomElement(using: &random) {
                start = person.localMidnight(options.start, day: weekendDay) + .seconds(Int64(Int.random(in: 11 * 60...19 * 60, using: &random)) * 60)
            } else {
                // No weekend in the simulated span: a night instead.
                start = person.localMidnight(options.start, day: day) + .seconds(Int64(Int.random(in: 30...180, using: &random)) * 60)
            }
        } else {
            start = person.localMidnight(options.start, day: day) + .seconds(Int64(Int.random(in: 30...180, using: &random)) * 60)
        }
        let end = start + .seconds(Int64(Int.random(in: 35...60, using: &random)) * 60)
        var time = start
        var last = start
        while time < end {
            var draft = Draft(for: person, at: time, order: random.next())
            draft.model = "gpt-5"
            draft.input = Int64.random(in: 4000...9000, using: &random)
            draft.output = Int64.random(in: 800...2500, using: &random)
            draft.prompt = Vocabulary.sentence(random: &random)
            drafts.append(draft)
            last = time
            time = time + .milliseconds(Int64.random(in: 4000...10_000, using: &random))
        }
        return Label(detector: .offHoursBurst, kind: kind, user: person.id, start: start, end: last)
    }

    /// A script making calls as the person at a fixed period (1–3% jitter) with fresh prompts, for 40–70 min.
    private func injectCadence(_ person: Person, day: Int, random: inout SeededRandom, into drafts: inout [Draft]) -> Label {
        let start = person.localMidnight(options.start, day: day) + .seconds(Int64(Int.random(in: 0..<(24 * 60), using: &random)) * 60)
        let period = Double(Int.random(in: 30...120, using: &random))
        let jitter = Double.random(in: 0.01...0.03, using: &random)
        let end = start + .seconds(Int64(Int.random(in: 40...70, using: &random)) * 60)
        var time = start
        var last = start
        while time < end {
            var draft = Draft(for: person, at: time, order: random.next())
            draft.model = "gpt-5-mini"
            draft.input = Int64.random(in: 300...1500, using: &random)
            draft.output = Int64.random(in: 50...400, using: &random)
            draft.prompt = Vocabulary.sentence(random: &random)
            drafts.append(draft)
            last = time
            time = time + .milliseconds(Int64(period * 1000 * Double.random(in: (1 - jitter)...(1 + jitter), using: &random)))
        }
        return Label(detector: .scriptedCadence, kind: "cron", user: person.id, start: start, end: last)
    }

    /// "continue", "ok", "next"… every 4–12 s for 10–20 minutes.
    private func injectTrivialFlood(_ person: Person, day: Int, random: inout SeededRandom, into drafts: inout [Draft]) -> Label {
        let start = person.localMidnight(options.start, day: day) + .seconds(Int64(Int.random(in: 8 * 60...20 * 60, using: &random)) * 60)
        let end = start + .seconds(Int64(Int.random(in: 10...20, using: &random)) * 60)
        var time = start
        var last = start
        while time < end {
            var draft = Draft(for: person, at: time, order: random.next())
            draft.model = "gpt-5"
            draft.input = Int64.random(in: 3...12, using: &random)
            draft.output = Int64.random(in: 150...700, using: &random)
            draft.prompt = random.pick(Vocabulary.trivial)
            drafts.append(draft)
            last = time
            time = time + .milliseconds(Int64.random(in: 4000...12_000, using: &random))
        }
        return Label(detector: .trivialFlood, kind: "continue", user: person.id, start: start, end: last)
    }

    private func injectLoop(_ person: Person, day: Int, kind: String, number: Int, random: inout SeededRandom, into drafts: inout [Draft]) -> Label {
        let start = person.localMidnight(options.start, day: day) + .seconds(Int64(Int.random(in: 0..<(24 * 60), using: &random)) * 60)
        let members: [String]
        switch kind {
        case "cycle2": members = ["loop\(number)-planner", "loop\(number)-critic"]
        case "cycle3": members = ["loop\(number)-planner", "loop\(number)-coder", "loop\(number)-reviewer"]
        default: members = ["loop\(number)-agent"]
        }
        let iterations = Int.random(in: 40...90, using: &random)
        var time = start
        var previousOutput = Vocabulary.hash(random: &random)
        for n in 0..<iterations {
            let agent = members[n % members.count]
            var draft = Draft(for: person, at: time, order: random.next())
            draft.agent = agent
            draft.model = "gpt-5-mini"
            // Small calls: a loop is caught by its shape, not its volume (which would also be a burst at night).
            draft.input = Int64.random(in: 300...1200, using: &random)
            draft.output = Int64.random(in: 100...500, using: &random)
            let output = Vocabulary.hash(random: &random)
            switch kind {
            case "self_trigger":
                draft.parent = n == 0 ? person.id : agent
                draft.prompt = Vocabulary.sentence(random: &random)
            case "output_feedback":
                draft.parent = person.id
                draft.promptHash = previousOutput
            default:
                draft.parent = n == 0 ? person.id : members[(n - 1) % members.count]
                draft.prompt = Vocabulary.sentence(random: &random)
            }
            draft.outputHash = output
            previousOutput = output
            drafts.append(draft)
            if n < iterations - 1 { time = time + .milliseconds(Int64.random(in: 6000...20_000, using: &random)) }
        }
        return Label(detector: .agentLoop, kind: kind, user: person.id, agent: members.min(), start: start, end: time)
    }
}

// MARK: - The simulated people and their words

private struct Person: Sendable {
    enum Kind: CaseIterable { case office, flexible, nightOwl, powerUser, onCall }
    var id: String
    var team: String
    var timeZone: String
    var kind: Kind
    /// The share of sessions a person holds outside work hours.
    var offHoursShare: Double
    var meanIntervalSeconds: Int
    var inputTokens: ClosedRange<Int64>
    /// Seconds east of UTC, fixed for the few days simulated.
    var utcOffsetSeconds: Int64

    static let zones = ["America/Los_Angeles", "America/New_York", "America/Sao_Paulo", "Europe/London", "Europe/Berlin",
                        "Africa/Nairobi", "Asia/Kolkata", "Asia/Singapore", "Asia/Tokyo", "Australia/Sydney", "UTC"]

    static func make(index: Int, random: inout SeededRandom) -> Person {
        let kind = random.pick([Kind.office, .office, .flexible, .flexible, .nightOwl, .powerUser, .onCall])
        let zone = random.pick(zones)
        let share: Double
        switch kind {
        case .office: share = Double.random(in: 0.15...0.4, using: &random)
        case .flexible: share = Double.random(in: 0.35...0.75, using: &random)
        case .nightOwl: share = Double.random(in: 0.6...0.9, using: &random)
        case .powerUser: share = Double.random(in: 0.3...0.6, using: &random)
        case .onCall: share = Double.random(in: 0.2...0.5, using: &random)
        }
        let offset = Int64(TimeZone(identifier: zone)?.secondsFromGMT(for: Date(timeIntervalSince1970: 1_793_577_600)) ?? 0)
        return Person(
            id: String(format: "u%03d", index + 1), team: "team-\(index / 10 + 1)", timeZone: zone, kind: kind,
            offHoursShare: share, meanIntervalSeconds: kind == .powerUser ? 45 : Int.random(in: 90...240, using: &random),
            inputTokens: kind == .powerUser ? 1000...5000 : 200...3000, utcOffsetSeconds: offset)
    }

    /// The UTC instant of this person's local midnight on simulated day `day`.
    func localMidnight(_ start: EventTime, day: Int) -> EventTime {
        start + .seconds(Int64(day) * 86400 - utcOffsetSeconds)
    }
}

private struct Draft: Sendable {
    var time: EventTime
    /// Breaks ties between equal times, reproducibly.
    var order: UInt64
    var user: String
    var team: String?
    var timeZone: String?
    var agent: String?
    var parent: String?
    var session: String?
    var model: String?
    var tool: String?
    var input: Int64 = 0
    var output: Int64 = 0
    var prompt: String?
    var promptHash: String?
    var outputHash: String?
    /// Write `ts` as epoch milliseconds instead of RFC 3339, as some publishers do.
    var epochMillis = false

    init(time: EventTime, order: UInt64, user: String) {
        self.time = time
        self.order = order
        self.user = user
    }

    /// A call by `person` themselves: their id, team and time zone.
    init(for person: Person, at time: EventTime, order: UInt64) {
        self.init(time: time, order: order, user: person.id)
        team = person.team
        timeZone = person.timeZone
    }

    func payload(id: String) -> String {
        var json = JSONWriter()
        json.beginObject()
        if epochMillis { json.integer(time.milliseconds, key: "ts") } else { json.string(time.rfc3339, key: "ts") }
        json.string(id, key: "id")
        json.string(user, key: "user")
        if let team { json.string(team, key: "team") }
        if let timeZone { json.string(timeZone, key: "tz") }
        if let agent { json.string(agent, key: "agent") }
        if let parent { json.string(parent, key: "parent") }
        if let session { json.string(session, key: "session") }
        if let model { json.string(model, key: "model") }
        if let tool { json.string(tool, key: "tool") }
        json.integer(input, key: "input_tokens")
        json.integer(output, key: "output_tokens")
        if let prompt { json.string(prompt, key: "prompt") }
        if let promptHash { json.string(promptHash, key: "prompt_hash") }
        if let outputHash { json.string(outputHash, key: "output_hash") }
        json.endObject()
        return json.text
    }
}

private enum Vocabulary {
    static let verbs = ["draft", "review", "explain", "refactor", "summarize", "compare", "outline", "translate", "test",
                        "debug", "estimate", "rewrite", "plan", "analyze", "document", "design", "check", "list"]
    static let nouns = ["migration", "invoice", "roadmap", "incident", "contract", "budget", "onboarding", "schema",
                        "dashboard", "pipeline", "release", "survey", "policy", "proposal", "backlog", "forecast",
                        "customer", "vendor", "latency", "cache", "parser", "campaign", "hiring", "pricing", "audit",
                        "metrics", "retention", "sprint", "architecture", "deployment", "checkout", "search", "billing",
                        "login", "report", "newsletter", "quota", "warehouse", "shipment", "ticket", "benchmark"]
    static let glue = ["the", "for", "with", "about", "and", "in", "our", "this", "next", "from", "to", "of"]
    static let adjectives = ["quarterly", "legacy", "new", "failing", "slow", "draft", "final", "internal", "public",
                             "urgent", "weekly", "regional", "mobile", "enterprise", "open"]

    static let trivial = ["continue", "ok", "go on", "next", "more", "yes", "ok thanks", "keep going"]

    static func sentence(random: inout SeededRandom) -> String {
        var words = [random.pick(verbs)]
        for _ in 0..<Int.random(in: 5...14, using: &random) {
            let roll = Int.random(in: 0..<10, using: &random)
            words.append(roll < 4 ? random.pick(nouns) : roll < 7 ? random.pick(glue) : random.pick(adjectives))
        }
        return words.joined(separator: " ")
    }

    static func words(count: Int, random: inout SeededRandom) -> [String] {
        [random.pick(verbs)] + (1..<count).map { _ in random.pick(random.chance(0.6) ? nouns : adjectives + glue) }
    }

    static func phrase(words: Int, random: inout SeededRandom) -> String {
        (0..<words).map { _ in random.pick(random.chance(0.7) ? nouns : adjectives) }.joined(separator: " ")
    }

    static func hash(random: inout SeededRandom) -> String {
        let value = random.next()
        let hex = String(value, radix: 16)
        return "h" + String(repeating: "0", count: 16 - hex.count) + hex
    }
}
