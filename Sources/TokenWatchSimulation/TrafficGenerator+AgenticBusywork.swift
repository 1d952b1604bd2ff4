import TokenWatchCore

/// The busywork that hides among agentic work: loops and crews that return to the same texts, agents fed
/// their own output by hash-only publishers, reworded repeats, low-novelty padding at night, the same large
/// context pasted again and again, and scripted trivial calls.
extension TrafficGenerator {
    static let agenticShapes: [(DetectorName, String)] = [
        (.agentLoop, "loop_text"), (.agentLoop, "crew_text"), (.agentLoop, "fed_back_hash"),
        (.agentLoop, "crew_hash"), (.repetitivePrompts, "reworded"), (.offHoursBurst, "night_padding"),
        (.contextPadding, "pasted_context"), (.contextPadding, "pasted_context_hash"),
        (.trivialFlood, "scripted_trivial"), (.scriptedCadence, "cron_trivial"),
    ]

    func injectAgentic(
        _ shape: (DetectorName, String), on person: Person, day: Int, number: Int, random: inout SeededRandom,
        into drafts: inout [Draft]
    ) -> Label {
        let (detector, kind) = shape
        if Self.churnShapes.contains(where: { $0.1 == kind }) {
            return injectChurn(kind, on: person, day: day, random: &random, into: &drafts)
        }
        switch detector {
        case .agentLoop:
            return injectAgenticLoop(person, day: day, kind: kind, random: &random, into: &drafts)
        case .repetitivePrompts:
            return injectRepeats(person, day: day, kind: kind, random: &random, into: &drafts)
        case .offHoursBurst:
            return injectBurst(person, day: day, kind: "night", random: &random, into: &drafts)
        case .contextPadding:
            return injectPastedContext(person, day: day, kind: kind, random: &random, into: &drafts)
        case .trivialFlood:
            return injectTrivialFlood(person, day: day, random: &random, into: &drafts)
        case .scriptedCadence:
            return injectCadence(person, day: day, trivial: true, random: &random, into: &drafts)
        default:
            preconditionFailure("no agentic busywork shape for \(detector)")
        }
    }

    /// A coding agent or a crew with the usual names, cycling through the same two or three texts (or hashes),
    /// or an agent fed its own output by a hash-only publisher.
    func injectAgenticLoop(
        _ person: Person, day: Int, kind: String, random: inout SeededRandom, into drafts: inout [Draft]
    ) -> Label {
        let start =
            person.localMidnight(options.start, day: day)
            + .seconds(Int64(Int.random(in: 0..<(24 * 60), using: &random)) * 60)
        let members = kind.hasPrefix("crew") ? ["planner", "coder", "reviewer"] : ["code-agent"]
        let hashesOnly = kind.hasSuffix("hash")
        let variants = Int.random(in: 2...3, using: &random)
        let prompts = members.map { _ in
            (0..<variants).map { _ in hashesOnly ? Vocabulary.hash(random: &random) : Vocabulary.step(random: &random) }
        }
        let answers = members.map { _ in (0..<variants).map { _ in Vocabulary.hash(random: &random) } }
        let iterations = Int.random(in: 45...90, using: &random)
        var time = start
        var previousOutput = Vocabulary.hash(random: &random)
        for n in 0..<iterations {
            let member = n % members.count
            let round = (n / members.count) % variants
            let parent = n == 0 ? person.id : members[(n + members.count - 1) % members.count]
            var draft = agentCall(person, agent: members[member], parent: parent, at: time, &random)
            draft.input = Int64.random(in: 20_000...90_000, using: &random)
            draft.output = Int64.random(in: 200...1500, using: &random)
            if kind == "fed_back_hash" {
                draft.promptHash = previousOutput
                draft.outputHash = Vocabulary.hash(random: &random)
            } else {
                if hashesOnly {
                    draft.promptHash = prompts[member][round]
                } else {
                    draft.prompt = prompts[member][round]
                }
                draft.outputHash = answers[member][round]
            }
            previousOutput = draft.outputHash!
            drafts.append(draft)
            if n < iterations - 1 { time = time + .milliseconds(Int64.random(in: 5000...15_000, using: &random)) }
        }
        return Label(detector: .agentLoop, kind: kind, user: person.id, agent: members.min(), start: start, end: time)
    }

    /// The same large context (a long pasted text, or one `prompt_hash`) sent every 9–11 minutes during work
    /// hours, 7–9 times: too slow for `repetitive_prompts`, all tokens and no content.
    func injectPastedContext(
        _ person: Person, day: Int, kind: String, random: inout SeededRandom, into drafts: inout [Draft]
    ) -> Label {
        let start =
            person.localMidnight(options.start, day: day)
            + .seconds(Int64(Int.random(in: 9 * 60...15 * 60, using: &random)) * 60)
        let pasted = Vocabulary.step(random: &random) + " " + Vocabulary.step(random: &random)
        let hash = Vocabulary.hash(random: &random)
        let count = Int.random(in: 7...9, using: &random)
        // The same context each time, give or take the few words asked with it.
        let size = Int64.random(in: 40_000...80_000, using: &random)
        var time = start
        for n in 0..<count {
            var draft = Draft(for: person, at: time, order: random.next())
            draft.model = "claude-opus"
            draft.input = size + Int64.random(in: 0...40, using: &random)
            draft.output = Int64.random(in: 200...900, using: &random)
            if kind.hasSuffix("hash") { draft.promptHash = hash } else { draft.prompt = pasted }
            drafts.append(draft)
            if n < count - 1 { time = time + .milliseconds(Int64.random(in: 540_000...660_000, using: &random)) }
        }
        return Label(detector: .contextPadding, kind: kind, user: person.id, start: start, end: time)
    }
}

extension TrafficGenerator {
    /// The busywork of ``Options/busyworkTeam``: its `members` (indices into the people) give up their own
    /// agentic work, and each runs one incident a day from the second day on (the first is their history),
    /// the kinds taken in turn so that every kind runs; a kind judged against the person's own volume waits
    /// for two days of history, as it does elsewhere.
    func busyTeamPlan(_ members: [Int], habits: inout [AgenticHabits]) -> [(
        person: Int, shape: (DetectorName, String), day: Int
    )] {
        let shapes = Self.agenticShapes + Self.churnShapes
        var plan: [(person: Int, shape: (DetectorName, String), day: Int)] = []
        for (position, index) in members.enumerated() {
            habits[index] = .none
            for day in min(1, options.days - 1)..<options.days {
                var turn = position + day * members.count
                while day < min(2, options.days - 1) && Self.isVolumeShape(shapes[turn % shapes.count]) { turn += 1 }
                plan.append((index, shapes[turn % shapes.count], day))
            }
        }
        return plan
    }

    /// A kind judged against the person's own volume, which needs days of their history first.
    static func isVolumeShape(_ shape: (DetectorName, String)) -> Bool {
        shape.0 == .offHoursBurst || shape.0 == .contextPadding
    }
}
