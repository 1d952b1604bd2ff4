import TokenWatchCore

/// Honest agentic work, the traffic of a 2026 engineering organisation: coding-agent sessions day and night
/// (hundreds of self-triggered calls an hour, 20k–200k-token contexts, every step new), crews of agents that
/// cycle while making progress, people steering agents with "continue", template batch jobs with natural
/// jitter, on-call nights with an agent, and new joiners whose first day is heavy. Agent names are shared
/// across people (`code-agent`, `planner`, `sre-agent`), as they are in practice. Half the streams publish
/// text, half only hashes.
extension TrafficGenerator {
    /// What an agentic person does besides chatting, drawn once per person.
    struct AgenticHabits {
        var codes: Bool
        var crews: Bool
        var drives: Bool
        var batches: Bool
        /// Works incidents at night with an agent (on-call engineers).
        var nights: Bool
        /// The first simulated day with any traffic (0 for most; later for new joiners).
        var firstDay: Int

        /// A person whose busywork is judged against their own volume, or who runs a busy team's busywork:
        /// no agentic work of their own, from the first day.
        static let none = AgenticHabits(
            codes: false, crews: false, drives: false, batches: false, nights: false, firstDay: 0)
    }

    func habits(of person: Person, random: inout SeededRandom) -> AgenticHabits {
        let joins = options.days > 1 && random.chance(0.1)
        return AgenticHabits(
            codes: random.chance(0.6), crews: random.chance(0.3), drives: random.chance(0.4),
            batches: random.chance(0.2), nights: person.kind == .onCall,
            firstDay: joins ? Int.random(in: 1...(options.days - 1), using: &random) : 0)
    }

    func agenticDay(
        _ person: Person, _ habits: AgenticHabits, day: Int, random: inout SeededRandom, into drafts: inout [Draft]
    ) {
        let midnight = person.localMidnight(options.start, day: day)
        func at(_ fromHour: Int, _ toHour: Int, _ random: inout SeededRandom) -> EventTime {
            midnight + .seconds(Int64(Int.random(in: fromHour * 60...toHour * 60, using: &random)) * 60)
        }
        // A new joiner's first day is heavy: two coding sessions, one running into the evening.
        let firstDay = day == habits.firstDay && habits.firstDay > 0
        if habits.codes || firstDay {
            for _ in 0..<(firstDay ? 2 : Int.random(in: 1...2, using: &random)) {
                let night = random.chance(0.25) || firstDay
                codingSession(
                    person, from: night ? at(19, 25, &random) : at(9, 17, &random),
                    minutes: Int.random(in: 20...60, using: &random), random: &random, into: &drafts)
            }
        }
        if habits.crews {
            crewSession(person, from: at(8, 23, &random), random: &random, into: &drafts)
        }
        if habits.drives {
            steeringSession(person, from: at(18, 23, &random), random: &random, into: &drafts)
        }
        if habits.batches {
            batchJob(person, from: at(0, 23, &random), random: &random, into: &drafts)
        }
        if habits.nights && random.chance(0.4) {
            onCallNight(person, from: at(0, 4, &random), random: &random, into: &drafts)
        }
    }

    /// One agent triggering itself with a new step each time, its context carrying every step before: the
    /// honest shape of a coding agent. Two families: steady steps (4–15 s, 500–4 000 tokens added each), and
    /// quick steps (2–10 s, 150–1 500 tokens added) whose tool results repeat boilerplate now and then, whose
    /// plan is handed back between tool results, and whose context is compacted when it nears 200k.
    func codingSession(
        _ person: Person, from start: EventTime, minutes: Int, random: inout SeededRandom, into drafts: inout [Draft]
    ) {
        let hashesOnly = random.chance(0.5)
        let quick = random.chance(0.5)
        let boilerplate = [
            "Todos have been modified successfully. Ensure that you continue to use the todo list",
            "The file has been updated. Here is the result of running the test suite again",
        ]
        let boilerplateHashes = boilerplate.map { _ in Vocabulary.hash(random: &random) }
        // Half the harnesses name their sessions; two sessions of one person may overlap either way.
        let session = random.chance(0.5) ? "code-\(person.id)-\(start.milliseconds / 60_000)" : nil
        var context = Int64.random(in: 20_000...60_000, using: &random)
        var time = start
        var n = 0
        var plan: String?
        while time < start + .seconds(Int64(minutes) * 60) {
            var draft = agentCall(
                person, agent: "code-agent", parent: n == 0 ? person.id : "code-agent", at: time, &random)
            draft.session = session
            context +=
                quick ? Int64.random(in: 150...1500, using: &random) : Int64.random(in: 500...4000, using: &random)
            // Compacted as it nears the model's limit, as agents do.
            if context > 190_000 { context = Int64.random(in: 25_000...60_000, using: &random) }
            draft.input = context
            draft.output = Int64.random(in: 200...3000, using: &random)
            newContent(&draft, hashesOnly: hashesOnly, &random)
            if quick, n > 0, let handedBack = plan, n % 4 == 0 {
                // The model's plan handed back as the next prompt, between new tool results.
                draft.prompt = nil
                draft.promptHash = handedBack
            } else if quick, n > 0, random.chance(0.25) {
                let which = Int.random(in: 0..<boilerplate.count, using: &random)
                if hashesOnly { draft.promptHash = boilerplateHashes[which] } else { draft.prompt = boilerplate[which] }
            }
            if n % 4 == 3 { plan = draft.outputHash }
            drafts.append(draft)
            time = time + .milliseconds(Int64.random(in: quick ? 2000...10_000 : 4000...15_000, using: &random))
            n += 1
        }
    }

    /// planner → coder → reviewer → planner…, each member's context carrying the crew's work so far.
    func crewSession(_ person: Person, from start: EventTime, random: inout SeededRandom, into drafts: inout [Draft]) {
        let members = ["planner", "coder", "reviewer"]
        let hashesOnly = random.chance(0.5)
        let end = start + .seconds(Int64(Int.random(in: 30...60, using: &random)) * 60)
        var contexts = members.map { _ in Int64.random(in: 8000...20_000, using: &random) }
        var handoff: String?
        calls(from: start, until: end, spacing: 6000...20_000, random: &random, into: &drafts) { n, time, random in
            let member = n % 3
            var draft = agentCall(
                person, agent: members[member], parent: n == 0 ? person.id : members[(n + 2) % 3], at: time, &random)
            contexts[member] += Int64.random(in: 800...4000, using: &random)
            if contexts[member] > 180_000 { contexts[member] = Int64.random(in: 20_000...40_000, using: &random) }
            draft.input = contexts[member]
            draft.output = Int64.random(in: 300...2500, using: &random)
            newContent(&draft, hashesOnly: hashesOnly, &random)
            // The crew hands each output on: the next member's prompt is this output (hash-only publishers).
            if hashesOnly, let handoff { draft.promptHash = handoff }
            handoff = draft.outputHash
            return draft
        }
    }

    /// A person typing "continue" to an agent with a growing session behind it, in the evening; half the
    /// publishers send no `output_hash`.
    func steeringSession(
        _ person: Person, from start: EventTime, random: inout SeededRandom, into drafts: inout [Draft]
    ) {
        let end = start + .seconds(Int64(Int.random(in: 20...60, using: &random)) * 60)
        let answers = random.chance(0.5)
        var context = Int64.random(in: 30_000...50_000, using: &random)
        calls(from: start, until: end, spacing: 15_000...90_000, random: &random, into: &drafts) { _, time, random in
            var draft = agentCall(person, agent: "code-agent", parent: person.id, at: time, &random)
            context += Int64.random(in: 1000...5000, using: &random)
            if context > 190_000 { context = Int64.random(in: 30_000...50_000, using: &random) }
            draft.input = context
            draft.output = Int64.random(in: 500...4000, using: &random)
            draft.prompt = random.pick(Vocabulary.trivial)
            let answer = Vocabulary.hash(random: &random)
            if answers { draft.outputHash = answer }
            return draft
        }
    }

    /// A ticket-summarising script under the person's name: one template, a new ticket each time, on a
    /// schedule with the jitter of a real queue (±25%).
    func batchJob(_ person: Person, from start: EventTime, random: inout SeededRandom, into drafts: inout [Draft]) {
        let period = Double(Int.random(in: 30...90, using: &random))
        let end = start + .seconds(Int64(Int.random(in: 20...50, using: &random)) * 60)
        let session = "batch-\(person.id)-\(start.milliseconds / 60_000)"
        var time = start
        while time < end {
            var draft = Draft(for: person, at: time, order: random.next())
            draft.session = session
            draft.model = "gpt-5-mini"
            draft.input = Int64.random(in: 2000...8000, using: &random)
            draft.output = Int64.random(in: 200...600, using: &random)
            draft.prompt =
                "Summarize ticket \(random.pick(Vocabulary.nouns))-\(random.pick(Vocabulary.nouns)): "
                + Vocabulary.sentence(random: &random)
            drafts.append(draft)
            time = time + .milliseconds(Int64(period * 1000 * Double.random(in: 0.75...1.25, using: &random)))
        }
    }

    /// An incident at night, worked with an agent in one growing conversation: heavy, its context carrying
    /// the logs and findings so far, compacted when it nears 200k.
    func onCallNight(_ person: Person, from start: EventTime, random: inout SeededRandom, into drafts: inout [Draft]) {
        let end = start + .seconds(Int64(Int.random(in: 60...120, using: &random)) * 60)
        let hashesOnly = random.chance(0.5)
        var context = Int64.random(in: 10_000...30_000, using: &random)
        calls(from: start, until: end, spacing: 10_000...40_000, random: &random, into: &drafts) { n, time, random in
            var draft = agentCall(
                person, agent: "sre-agent", parent: n % 4 == 0 ? person.id : "sre-agent", at: time, &random)
            context += Int64.random(in: 1000...8000, using: &random)
            if context > 190_000 { context = Int64.random(in: 30_000...50_000, using: &random) }
            draft.input = context
            draft.output = Int64.random(in: 300...3000, using: &random)
            newContent(&draft, hashesOnly: hashesOnly, &random)
            return draft
        }
    }

    /// Calls from `start` until `end`, each `spacing` milliseconds after the one before: `call` makes the `n`th
    /// (from 0) at its time, drawing what it needs before the gap to the next is drawn. The last one's time.
    @discardableResult
    func calls(
        from start: EventTime, until end: EventTime, spacing: ClosedRange<Int64>, random: inout SeededRandom,
        into drafts: inout [Draft], _ call: (Int, EventTime, inout SeededRandom) -> Draft
    ) -> EventTime {
        var time = start
        var last = start
        var n = 0
        while time < end {
            drafts.append(call(n, time, &random))
            last = time
            time = time + .milliseconds(Int64.random(in: spacing, using: &random))
            n += 1
        }
        return last
    }

    func agentCall(_ person: Person, agent: String, parent: String, at time: EventTime, _ random: inout SeededRandom)
        -> Draft
    {
        var draft = Draft(for: person, at: time, order: random.next())
        draft.agent = agent
        draft.parent = parent
        draft.model = random.pick(["claude-opus", "gpt-5", "gemini-pro"])
        return draft
    }

    /// A new step: new text (or a new hash) and a new answer.
    func newContent(_ draft: inout Draft, hashesOnly: Bool, _ random: inout SeededRandom) {
        if hashesOnly {
            draft.promptHash = Vocabulary.hash(random: &random)
        } else {
            draft.prompt = Vocabulary.step(random: &random)
        }
        draft.outputHash = Vocabulary.hash(random: &random)
    }
}
