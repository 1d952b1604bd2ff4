/// The words simulated prompts are made of.
enum Vocabulary {
    static let verbs = [
        "draft", "review", "explain", "refactor", "summarize", "compare", "outline", "translate", "test",
        "debug", "estimate", "rewrite", "plan", "analyze", "document", "design", "check", "list",
    ]
    static let nouns = [
        "migration", "invoice", "roadmap", "incident", "contract", "budget", "onboarding", "schema",
        "dashboard", "pipeline", "release", "survey", "policy", "proposal", "backlog", "forecast",
        "customer", "vendor", "latency", "cache", "parser", "campaign", "hiring", "pricing", "audit",
        "metrics", "retention", "sprint", "architecture", "deployment", "checkout", "search", "billing",
        "login", "report", "newsletter", "quota", "warehouse", "shipment", "ticket", "benchmark",
    ]
    static let glue = ["the", "for", "with", "about", "and", "in", "our", "this", "next", "from", "to", "of"]
    static let adjectives = [
        "quarterly", "legacy", "new", "failing", "slow", "draft", "final", "internal", "public",
        "urgent", "weekly", "regional", "mobile", "enterprise", "open",
    ]

    static let trivial = ["continue", "ok", "go on", "next", "more", "yes", "ok thanks", "keep going"]

    static func sentence(random: inout SeededRandom) -> String {
        var words = [random.pick(verbs)]
        for _ in 0..<Int.random(in: 5...14, using: &random) {
            let roll = Int.random(in: 0..<10, using: &random)
            words.append(roll < 4 ? random.pick(nouns) : roll < 7 ? random.pick(glue) : random.pick(adjectives))
        }
        return words.joined(separator: " ")
    }

    /// One step of an agent's work: a sentence about a named part of the code or business, long enough that
    /// two steps rarely share most of their words.
    static func step(random: inout SeededRandom) -> String {
        sentence(random: &random) + " in " + random.pick(nouns) + "_" + random.pick(nouns) + " then "
            + sentence(random: &random)
    }

    static func words(count: Int, random: inout SeededRandom) -> [String] {
        [random.pick(verbs)] + (1..<count).map { _ in random.pick(random.chance(0.6) ? nouns : adjectives + glue) }
    }

    static func phrase(words: Int, random: inout SeededRandom) -> String {
        (0..<words).map { _ in random.pick(random.chance(0.7) ? nouns : adjectives) }.joined(separator: " ")
    }

    static let names = ["Ana", "Bo", "Chen", "Dara", "Eli", "Femi", "Gus", "Hana", "Ivo", "Jun", "Kai", "Lea"]

    /// A reply to mail nobody reads: one template, its slots filled at random. Every text is new, and none
    /// builds on another.
    static func mailReply(random: inout SeededRandom) -> String {
        let opening = random.pick(["Write a friendly reply to", "Draft a short answer to", "Reply politely to"])
        return "\(opening) \(random.pick(names))'s email about the \(random.pick(adjectives)) \(random.pick(nouns)) "
            + "\(random.pick(nouns)), mention the \(random.pick(nouns)) and sign off as \(random.pick(names))"
    }

    static func hash(random: inout SeededRandom) -> String {
        let value = random.next()
        let hex = String(value, radix: 16)
        return "h" + String(repeating: "0", count: 16 - hex.count) + hex
    }
}
