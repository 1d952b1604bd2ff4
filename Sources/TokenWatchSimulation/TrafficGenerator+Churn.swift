import TokenWatchCore

/// Busywork that says something new every time and still goes nowhere, drawn from families of rates, sizes
/// and texts of their own (not those of the loops and bursts in `TrafficGenerator+AgenticBusywork.swift`):
/// varied one-shots at machine rate at night, agents exchanging unrelated texts in a cycle, an inbox
/// re-triaged every minute or so for an hour, two agents pinging the same few status texts, and a runaway
/// agent whose context accumulates while the same refusal comes back.
extension TrafficGenerator {
    static let churnShapes: [(DetectorName, String)] = [
        (.offHoursBurst, "night_oneshots"), (.agentLoop, "unrelated_cycle"), (.agentLoop, "slow_retriage"),
        (.agentLoop, "status_pings"), (.agentLoop, "runaway_refusal"),
    ]

    func injectChurn(
        _ kind: String, on person: Person, day: Int, random: inout SeededRandom, into drafts: inout [Draft]
    )
        -> Label
    {
        switch kind {
        case "night_oneshots": return injectNightOneShots(person, day: day, random: &random, into: &drafts)
        case "unrelated_cycle": return injectUnrelatedCycle(person, day: day, random: &random, into: &drafts)
        case "slow_retriage": return injectSlowRetriage(person, day: day, random: &random, into: &drafts)
        case "status_pings": return injectStatusPings(person, day: day, random: &random, into: &drafts)
        default: return injectRunaway(person, day: day, random: &random, into: &drafts)
        }
    }

    /// 250–400 one-shot calls between 01:00 and 04:00 local, no agent, no session, 6–20 s apart: a template
    /// with random slots (a reply to mail nobody reads), at a size that holds within 2% or wanders by 10%.
    func injectNightOneShots(_ person: Person, day: Int, random: inout SeededRandom, into drafts: inout [Draft])
        -> Label
    {
        let start =
            person.localMidnight(options.start, day: day) + .seconds(Int64.random(in: 3600...10_800, using: &random))
        let level = Int64.random(in: 6000...14_000, using: &random)
        let spread = random.chance(0.5) ? 0.02 : 0.1
        let count = Int.random(in: 250...400, using: &random)
        var time = start
        for n in 0..<count {
            var draft = Draft(for: person, at: time, order: random.next())
            draft.model = random.pick(["gpt-5-mini", "claude-haiku"])
            draft.input = Int64(Double(level) * Double.random(in: (1 - spread)...(1 + spread), using: &random))
            draft.output = Int64.random(in: 150...700, using: &random)
            draft.prompt = Vocabulary.mailReply(random: &random)
            draft.outputHash = Vocabulary.hash(random: &random)
            drafts.append(draft)
            if n < count - 1 { time = time + .milliseconds(Int64.random(in: 6000...20_000, using: &random)) }
        }
        return Label(detector: .offHoursBurst, kind: "night_oneshots", user: person.id, start: start, end: time)
    }

    /// Two or three agents triggering each other for 40–100 rounds, 2–9 s apart, no session, each message new
    /// and unrelated to the last, at a size each agent keeps (exactly, or within 1%).
    func injectUnrelatedCycle(_ person: Person, day: Int, random: inout SeededRandom, into drafts: inout [Draft])
        -> Label
    {
        let members = random.chance(0.5) ? ["mailer", "responder"] : ["mailer", "responder", "escalator"]
        let sizes = members.map { _ in Int64.random(in: 2500...12_000, using: &random) }
        let exact = random.chance(0.5)
        let hashesOnly = random.chance(0.3)
        let rounds = Int.random(in: 40...100, using: &random)
        let start = anyTime(person, day: day, &random)
        var time = start
        for n in 0..<(rounds * members.count) {
            let member = n % members.count
            let parent = n == 0 ? person.id : members[(n + members.count - 1) % members.count]
            var draft = agentCall(person, agent: members[member], parent: parent, at: time, &random)
            draft.input =
                exact
                ? sizes[member]
                : sizes[member] + Int64.random(in: -sizes[member] / 100...sizes[member] / 100, using: &random)
            draft.output = Int64.random(in: 100...600, using: &random)
            if hashesOnly {
                draft.promptHash = Vocabulary.hash(random: &random)
            } else {
                draft.prompt = Vocabulary.mailReply(random: &random)
            }
            draft.outputHash = Vocabulary.hash(random: &random)
            drafts.append(draft)
            time = time + .milliseconds(Int64.random(in: 2000...9000, using: &random))
        }
        return Label(
            detector: .agentLoop, kind: "unrelated_cycle", user: person.id, agent: members.min(), start: start,
            end: time)
    }

    /// An agent re-triaging the same inbox every 30–90 s for one to two hours: the same request give or take
    /// "Again:", "Re-run:" or the time of day, at one size give or take a few tokens.
    func injectSlowRetriage(_ person: Person, day: Int, random: inout SeededRandom, into drafts: inout [Draft])
        -> Label
    {
        let request = "Triage the \(person.team) inbox: label each thread, set its priority and draft the replies"
        let size = Int64.random(in: 5000...9000, using: &random)
        let hashesOnly = random.chance(0.3)
        let variants = (0..<4).map { _ in Vocabulary.hash(random: &random) }
        let start = anyTime(person, day: day, &random)
        let end = start + .seconds(Int64.random(in: 3600...7200, using: &random))
        let last = calls(from: start, until: end, spacing: 30_000...90_000, random: &random, into: &drafts) {
            n, time, random in
            var draft = agentCall(
                person, agent: "inbox-agent", parent: n == 0 ? person.id : "inbox-agent", at: time, &random)
            draft.input = size + Int64.random(in: 0...6, using: &random)
            draft.output = Int64.random(in: 300...900, using: &random)
            let prefix = random.pick([
                "", "Again: ", "Re-run: ",
                "At \(Int.random(in: 0...23, using: &random)):\(Int.random(in: 10...59, using: &random)) ",
            ])
            if hashesOnly { draft.promptHash = random.pick(variants) } else { draft.prompt = prefix + request }
            draft.outputHash = Vocabulary.hash(random: &random)
            return draft
        }
        return Label(
            detector: .agentLoop, kind: "slow_retriage", user: person.id, agent: "inbox-agent", start: start, end: last)
    }

    /// Two agents pinging each other with the same two or three status texts every 30–60 s for 60–90 min.
    func injectStatusPings(_ person: Person, day: Int, random: inout SeededRandom, into drafts: inout [Draft])
        -> Label
    {
        let members = ["watcher", "reporter"]
        let texts = members.map { agent in
            (0..<Int.random(in: 2...3, using: &random)).map { _ in
                "\(agent): status of \(random.pick(Vocabulary.nouns)) is \(random.pick(["green", "unchanged", "pending"]))"
            }
        }
        let start = anyTime(person, day: day, &random)
        let end = start + .seconds(Int64.random(in: 3600...5400, using: &random))
        let last = calls(from: start, until: end, spacing: 30_000...60_000, random: &random, into: &drafts) {
            n, time, random in
            let member = n % 2
            var draft = agentCall(
                person, agent: members[member], parent: n == 0 ? person.id : members[1 - member], at: time, &random)
            draft.input = Int64.random(in: 1500...1510, using: &random)
            draft.output = Int64.random(in: 40...120, using: &random)
            draft.prompt = random.pick(texts[member])
            draft.outputHash = Vocabulary.hash(random: &random)
            return draft
        }
        return Label(
            detector: .agentLoop, kind: "status_pings", user: person.id, agent: "reporter", start: start, end: last)
    }

    /// A coding agent at work (its context growing with each new step) that then retries one command 45–60
    /// times in a few minutes, getting the same refusal back each time while its context keeps growing.
    func injectRunaway(_ person: Person, day: Int, random: inout SeededRandom, into drafts: inout [Draft]) -> Label {
        let refusal = "This command requires approval. Ask the user to approve it before running it again."
        let refusalHash = Vocabulary.hash(random: &random)
        let hashesOnly = random.chance(0.3)
        var context = Int64.random(in: 30_000...80_000, using: &random)
        let workStart = anyTime(person, day: day, &random)
        var time = workStart
        let work = Int.random(in: 15...40, using: &random)
        var start = workStart
        for n in 0..<(work + Int.random(in: 45...60, using: &random)) {
            var draft = agentCall(
                person, agent: "code-agent", parent: n == 0 ? person.id : "code-agent", at: time, &random)
            draft.output = Int64.random(in: 60...200, using: &random)
            if n < work {
                context += Int64.random(in: 600...3000, using: &random)
                newContent(&draft, hashesOnly: hashesOnly, &random)
            } else {
                if n == work { start = time }
                context += Int64.random(in: 80...250, using: &random)
                if hashesOnly { draft.promptHash = refusalHash } else { draft.prompt = refusal }
                draft.outputHash = Vocabulary.hash(random: &random)
            }
            draft.input = context
            drafts.append(draft)
            time = time + .milliseconds(Int64.random(in: n < work ? 5000...15_000 : 2000...6000, using: &random))
        }
        return Label(
            detector: .agentLoop, kind: "runaway_refusal", user: person.id, agent: "code-agent", start: start, end: time
        )
    }

    /// A time of the person's day `day`, any hour.
    private func anyTime(_ person: Person, day: Int, _ random: inout SeededRandom) -> EventTime {
        person.localMidnight(options.start, day: day) + .seconds(Int64.random(in: 0..<(22 * 3600), using: &random))
    }
}
