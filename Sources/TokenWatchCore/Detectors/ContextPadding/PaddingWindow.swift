/// One user's input tokens per minute within the window, and how much of it was padding.
struct PaddingWindow: Sendable {
    var window = MinuteWindow<PaddedInput>()
    var evidence = EvidenceRing()

    mutating func record(_ event: TokenEvent, padded isPadded: Bool, _ configuration: ContextPaddingConfiguration)
        -> Finding?
    {
        let minute = event.time.milliseconds / 60_000
        let windowMinutes = max(configuration.window.milliseconds / 60_000, 1)
        let call = PaddedInput(
            input: event.inputTokens, padded: isPadded ? event.inputTokens : 0, paddedCalls: isPadded ? 1 : 0)
        window.add(call, at: minute, windowMinutes: windowMinutes)
        guard isPadded else { return nil }
        let (input, padded, paddedCalls) = (window.total.input, window.total.padded, Int64(window.total.paddedCalls))
        evidence.record(event.id)

        guard paddedCalls >= configuration.minCalls, padded >= configuration.minPaddedTokens,
            Double(padded) >= configuration.minPaddedShare * Double(max(input, 1))
        else { return nil }
        let share = (Double(padded) / Double(max(input, 1)) * 100).rounded() / 100
        let windowStart = EventTime(milliseconds: (window.firstMinute ?? minute) * 60_000)
        return Finding(
            detector: .contextPadding,
            key: event.user,
            subject: AlertSubject(user: event.user),
            time: event.time,
            windowStart: windowStart,
            excess: Double(padded) / Double(max(configuration.minPaddedTokens, 1)),
            details: { [paddedCalls, padded, input, evidence] in
                FindingDetails(
                    observed: [
                        ("padded_calls", .integer(paddedCalls)),
                        ("padded_input_tokens", .integer(padded)),
                        ("input_tokens", .integer(input)),
                        ("padded_share", .number(share)),
                        ("window_seconds", .integer(windowMinutes * 60)),
                    ],
                    threshold: configuration.thresholds(
                        \.minInputTokens, \.minCalls, \.minPaddedTokens, \.minPaddedShare),
                    summary: "\(padded) input tokens in \(paddedCalls) calls resent large contexts at the same size "
                        + "with nothing new within \(windowMinutes) min (\(Int((share * 100).rounded()))% of this person's input)",
                    evidence: evidence.ids)
            })
    }
}

/// One minute's input tokens, or the window's: all of them, and those that were padding.
struct PaddedInput: Sendable, Codable, MinuteFigures {
    var input: Int64 = 0
    var padded: Int64 = 0
    var paddedCalls: Int32 = 0

    mutating func add(_ other: PaddedInput) {
        input &+= other.input
        padded &+= other.padded
        paddedCalls &+= other.paddedCalls
    }

    mutating func subtract(_ other: PaddedInput) {
        input &-= other.input
        padded &-= other.padded
        paddedCalls &-= other.paddedCalls
    }
}

/// The checkpoint format: the minutes, and the window's sums beside them under their own names.
extension PaddingWindow: Codable {
    private enum CodingKeys: String, CodingKey { case minutes, input, padded, paddedCalls, evidence }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let total = PaddedInput(
            input: try c.decode(Int64.self, forKey: .input), padded: try c.decode(Int64.self, forKey: .padded),
            paddedCalls: Int32(truncatingIfNeeded: try c.decode(Int64.self, forKey: .paddedCalls)))
        window = MinuteWindow(
            minutes: try c.decode([MinuteWindow<PaddedInput>.Minute].self, forKey: .minutes), total: total)
        evidence = try c.decode(EvidenceRing.self, forKey: .evidence)
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(window.minutes, forKey: .minutes)
        try c.encode(window.total.input, forKey: .input)
        try c.encode(window.total.padded, forKey: .padded)
        try c.encode(Int64(window.total.paddedCalls), forKey: .paddedCalls)
        try c.encode(evidence, forKey: .evidence)
    }
}
