/// The off-hours figures of one minute of a person's window, or of the whole window. A person busy every minute
/// keeps one per minute of the window (60 by default), so the fields are laid out for size: the 64-bit ones
/// first, and the counts of progress not optional although older checkpoints lack them (48 bytes apart in a
/// window with its minute; optional, they took 72). Counts add with wrapping: no person makes two billion
/// calls in a window, and a hostile stream must not stop the daemon by trying.
struct MinuteVolume: Sendable, Equatable {
    var tokens: Int64 = 0
    /// The tokens of the calls whose content was known, and of those that brought new content: the share of
    /// progress is weighted by volume, since volume is what a burst is.
    var judgedTokens: Int64 = 0
    var newTokens: Int64 = 0
    var calls: Int32 = 0
    /// Calls whose content was known, and those of them that brought new content.
    var judged: Int32 = 0
    var new: Int32 = 0

    init() {}

    init(tokens: Int64, calls: Int32, judged: Int32, new: Int32, judgedTokens: Int64, newTokens: Int64) {
        self.tokens = tokens
        self.judgedTokens = judgedTokens
        self.newTokens = newTokens
        self.calls = calls
        self.judged = judged
        self.new = new
    }
}

extension MinuteVolume: MinuteFigures {
    mutating func add(_ other: MinuteVolume) { combine(other, sign: 1) }
    mutating func subtract(_ other: MinuteVolume) { combine(other, sign: -1) }

    private mutating func combine(_ other: MinuteVolume, sign: Int32) {
        tokens &+= Int64(sign) &* other.tokens
        judgedTokens &+= Int64(sign) &* other.judgedTokens
        newTokens &+= Int64(sign) &* other.newTokens
        calls &+= sign &* other.calls
        judged &+= sign &* other.judged
        new &+= sign &* other.new
    }
}

/// The checkpoint format: the counts of progress are absent from checkpoints written before they were kept,
/// and read as none.
extension MinuteVolume: Codable {
    private enum CodingKeys: String, CodingKey { case tokens, calls, judged, new, judgedTokens, newTokens }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            tokens: try c.decode(Int64.self, forKey: .tokens), calls: try c.decode(Int32.self, forKey: .calls),
            judged: try c.decodeIfPresent(Int32.self, forKey: .judged) ?? 0,
            new: try c.decodeIfPresent(Int32.self, forKey: .new) ?? 0,
            judgedTokens: try c.decodeIfPresent(Int64.self, forKey: .judgedTokens) ?? 0,
            newTokens: try c.decodeIfPresent(Int64.self, forKey: .newTokens) ?? 0)
    }
}
