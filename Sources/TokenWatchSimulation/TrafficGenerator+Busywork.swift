import TokenWatchCore

/// The busywork injected among honest traffic, one shape per detector, each with its label.
extension TrafficGenerator {
    func inject(
        people: [Person], random: inout SeededRandom, drafts: inout [Draft], labels: inout [Label],
        injected: inout Set<String>
    ) {
        // One incident of each shape per twenty people, at least one each, each on a different person; the
        // rest of the people are controls with honest traffic only.
        let rounds = max(1, options.people / 20)
        var candidates = people.shuffled(using: &random)
        if let team = options.busyworkTeam { candidates.removeAll { $0.team != team } }
        func nextPerson() -> Person? { candidates.popLast() }
        let shapes: [(DetectorName, String)] = [
            (.repetitivePrompts, "exact"), (.repetitivePrompts, "trivial_variants"), (.repetitivePrompts, "reworded"),
            (.offHoursBurst, "night"), (.offHoursBurst, "weekend"), (.offHoursBurst, "night_oneshots"),
            (.agentLoop, "self_trigger"), (.agentLoop, "cycle2"), (.agentLoop, "cycle3"),
            (.agentLoop, "output_feedback"),
            (.scriptedCadence, "cron"), (.trivialFlood, "continue"),
        ]
        var counter = 0
        for _ in 0..<rounds {
            for (detector, kind) in shapes {
                guard let person = nextPerson() else { return }
                injected.insert(person.id)
                counter += 1
                // Bursts need a day of history first, so their baseline is the person's own.
                let day =
                    detector == .offHoursBurst
                    ? Int.random(in: min(1, options.days - 1)...(options.days - 1), using: &random)
                    : Int.random(in: 0...(options.days - 1), using: &random)
                let label: Label
                switch detector {
                case .repetitivePrompts:
                    label = injectRepeats(person, day: day, kind: kind, random: &random, into: &drafts)
                case .offHoursBurst where kind == "night_oneshots":
                    label = injectNightOneShots(person, day: day, random: &random, into: &drafts)
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

    func injectRepeats(_ person: Person, day: Int, kind: String, random: inout SeededRandom, into drafts: inout [Draft])
        -> Label
    {
        let start =
            person.localMidnight(options.start, day: day)
            + .seconds(Int64(Int.random(in: 9 * 60...16 * 60, using: &random)) * 60)
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
                if edit == 0 {
                    words.remove(at: at)
                } else if edit == 1 {
                    words.swapAt(at, at + 1)
                } else {
                    words.insert(random.pick(["please", "quickly", "again", "now", "kindly"]), at: at)
                }
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

    func injectBurst(_ person: Person, day: Int, kind: String, random: inout SeededRandom, into drafts: inout [Draft])
        -> Label
    {
        // A night (local 00:30 to 03:00) or, for the weekend shape, a Saturday or Sunday from 11:00 to 19:00.
        var start: EventTime
        let firstWeekday = CivilDate.weekday(days: options.start.milliseconds / 86_400_000)
        let weekendDays = (1..<options.days).filter { (firstWeekday + $0) % 7 >= 5 }
        if kind == "weekend" {
            if let weekendDay = weekendDays.randomElement(using: &random) {
                start =
                    person.localMidnight(options.start, day: weekendDay)
                    + .seconds(Int64(Int.random(in: 11 * 60...19 * 60, using: &random)) * 60)
            } else {
                // No weekend in the simulated span: a night instead.
                start =
                    person.localMidnight(options.start, day: day)
                    + .seconds(Int64(Int.random(in: 30...180, using: &random)) * 60)
            }
        } else {
            start =
                person.localMidnight(options.start, day: day)
                + .seconds(Int64(Int.random(in: 30...180, using: &random)) * 60)
        }
        let end = start + .seconds(Int64(Int.random(in: 35...60, using: &random)) * 60)
        // Volume without progress: the same few requests over and over, answered alike.
        let texts = (0..<3).map { _ in Vocabulary.sentence(random: &random) }
        let answers = (0..<3).map { _ in Vocabulary.hash(random: &random) }
        var turn = 0
        let last = callsByTheSame(
            person, from: start, until: end, model: "gpt-5", input: 4000...9000, output: 800...2500,
            random: &random, into: &drafts,
            prompt: { _ in
                turn += 1
                return texts[turn % texts.count]
            },
            outputHash: { _ in answers[turn % answers.count] },
            gapMilliseconds: { Int64.random(in: 4000...10_000, using: &$0) })
        return Label(detector: .offHoursBurst, kind: kind, user: person.id, start: start, end: last)
    }

    /// A script making calls as the person at a fixed period (1–3% jitter) with fresh prompts, for 40–70 min.
    /// With `trivial`, the script only says "ok" or "continue": padding, not work.
    func injectCadence(
        _ person: Person, day: Int, trivial: Bool = false, random: inout SeededRandom, into drafts: inout [Draft]
    ) -> Label {
        let start =
            person.localMidnight(options.start, day: day)
            + .seconds(Int64(Int.random(in: 0..<(24 * 60), using: &random)) * 60)
        let period = Double(Int.random(in: 30...120, using: &random))
        let jitter = Double.random(in: 0.01...0.03, using: &random)
        let end = start + .seconds(Int64(Int.random(in: 40...70, using: &random)) * 60)
        let last = callsByTheSame(
            person, from: start, until: end, model: "gpt-5-mini", input: 300...1500, output: 50...400,
            random: &random, into: &drafts,
            prompt: { trivial ? $0.pick(Vocabulary.trivial) : Vocabulary.sentence(random: &$0) },
            gapMilliseconds: { Int64(period * 1000 * Double.random(in: (1 - jitter)...(1 + jitter), using: &$0)) })
        return Label(
            detector: .scriptedCadence, kind: trivial ? "cron_trivial" : "cron", user: person.id, start: start,
            end: last)
    }

    /// "continue", "ok", "next"… every 4–12 s for 10–20 minutes.
    func injectTrivialFlood(_ person: Person, day: Int, random: inout SeededRandom, into drafts: inout [Draft]) -> Label
    {
        let start =
            person.localMidnight(options.start, day: day)
            + .seconds(Int64(Int.random(in: 8 * 60...20 * 60, using: &random)) * 60)
        let end = start + .seconds(Int64(Int.random(in: 10...20, using: &random)) * 60)
        let last = callsByTheSame(
            person, from: start, until: end, model: "gpt-5", input: 3...12, output: 150...700,
            random: &random, into: &drafts,
            prompt: { $0.pick(Vocabulary.trivial) },
            gapMilliseconds: { Int64.random(in: 4000...12_000, using: &$0) })
        return Label(detector: .trivialFlood, kind: "continue", user: person.id, start: start, end: last)
    }

    func injectLoop(
        _ person: Person, day: Int, kind: String, number: Int, random: inout SeededRandom, into drafts: inout [Draft]
    ) -> Label {
        let start =
            person.localMidnight(options.start, day: day)
            + .seconds(Int64(Int.random(in: 0..<(24 * 60), using: &random)) * 60)
        let members: [String]
        switch kind {
        case "cycle2": members = ["loop\(number)-planner", "loop\(number)-critic"]
        case "cycle3": members = ["loop\(number)-planner", "loop\(number)-coder", "loop\(number)-reviewer"]
        default: members = ["loop\(number)-agent"]
        }
        let iterations = Int.random(in: 40...90, using: &random)
        var time = start
        var previousOutput = Vocabulary.hash(random: &random)
        // A loop that makes no progress returns to the same few texts, each agent its own.
        let texts = members.map { _ in (0..<3).map { _ in Vocabulary.sentence(random: &random) } }
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
                draft.prompt = texts[0][n % 3]
            case "output_feedback":
                draft.parent = person.id
                draft.promptHash = previousOutput
            default:
                draft.parent = n == 0 ? person.id : members[(n - 1) % members.count]
                draft.prompt = texts[n % members.count][(n / members.count) % 3]
            }
            draft.outputHash = output
            previousOutput = output
            drafts.append(draft)
            if n < iterations - 1 { time = time + .milliseconds(Int64.random(in: 6000...20_000, using: &random)) }
        }
        return Label(detector: .agentLoop, kind: kind, user: person.id, agent: members.min(), start: start, end: time)
    }

    /// One person's calls from `start` until `end`, each with a fresh draw of tokens and prompt, `gap` apart;
    /// returns the time of the last. The draws are made in a fixed order, so a seed gives the same traffic.
    private func callsByTheSame(
        _ person: Person, from start: EventTime, until end: EventTime, model: String, input: ClosedRange<Int64>,
        output: ClosedRange<Int64>, random: inout SeededRandom, into drafts: inout [Draft],
        prompt: (inout SeededRandom) -> String, outputHash: ((inout SeededRandom) -> String)? = nil,
        gapMilliseconds: (inout SeededRandom) -> Int64
    ) -> EventTime {
        var time = start
        var last = start
        while time < end {
            var draft = Draft(for: person, at: time, order: random.next())
            draft.model = model
            draft.input = Int64.random(in: input, using: &random)
            draft.output = Int64.random(in: output, using: &random)
            draft.prompt = prompt(&random)
            draft.outputHash = outputHash?(&random)
            drafts.append(draft)
            last = time
            time = time + .milliseconds(gapMilliseconds(&random))
        }
        return last
    }
}
