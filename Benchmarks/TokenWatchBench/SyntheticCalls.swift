import TokenWatchCore

/// The people `memory` and `history` measure, and their calls: person `n` is `user-N` with one session, and
/// every fourth calls through an agent of their own (parent: themselves) with an output, so that every
/// detector and the progress measure track them. Call `call` of everyone falls within minute `call` after a
/// Saturday evening's start (off-hours everywhere), spread over the minute in the order people are visited.
enum SyntheticCalls {
    /// Orders in which a pass visits the people: person `position * m mod N`, `m` a prime that divides no size
    /// measured. People do not call in the same order every minute, and in one order each lookup would find
    /// its neighbours' state already cached by the one before.
    static let visitingOrders = [1, 7919, 104_729]

    private static let start = EventTime(rfc3339: "2026-11-07T20:00:00Z")!

    /// Every person's call `call` (one each), visited in order `order`, with the prompt `prompt(n)` for person
    /// `n`.
    static func pass(
        _ call: Int, of subjects: Int, order: Int, prompt: (_ person: Int) -> String
    ) -> [TokenEvent] {
        (0..<subjects).map { position in
            let n = position * visitingOrders[order] % subjects
            let offset = Int64(call) * 60_000 + Int64(position) * 60_000 / Int64(subjects)
            var event = TokenEvent(
                time: start + .milliseconds(offset), user: "user-\(n)", inputTokens: 800, outputTokens: 200,
                id: "e\(call)-\(n)")
            event.prompt = PromptFingerprint(text: prompt(n))
            event.session = "s\(n)"
            if n % 4 == 0 {
                event.agent = "agent-\(n)"
                event.parent = "user-\(n)"
                event.outputHash = "o\(call)-\(n)"
            }
            return event
        }
    }
}
