/// One minute of a person's off-hours window. A person busy every minute keeps one per minute of the window
/// (60 by default), so the fields are laid out for size: the 64-bit ones first, and the counts of progress not
/// optional although older checkpoints lack them (48 bytes apart in an array; optional, they took 72).
struct MinuteVolume: Sendable {
    var minute: Int64
    var tokens: Int64
    /// The tokens of the calls whose content was known, and of those that brought new content: the share of
    /// progress is weighted by volume, since volume is what a burst is.
    var judgedTokens: Int64
    var newTokens: Int64
    var calls: Int32
    /// Calls whose content was known, and those of them that brought new content.
    var judged: Int32
    var new: Int32

    init(minute: Int64, tokens: Int64, calls: Int32, judged: Int32, new: Int32, judgedTokens: Int64, newTokens: Int64) {
        self.minute = minute
        self.tokens = tokens
        self.judgedTokens = judgedTokens
        self.newTokens = newTokens
        self.calls = calls
        self.judged = judged
        self.new = new
    }

    /// Adds another volume's figures (a call's, in the same minute) to this one's.
    mutating func add(_ other: MinuteVolume) {
        tokens += other.tokens
        judgedTokens += other.judgedTokens
        newTokens += other.newTokens
        calls += other.calls
        judged += other.judged
        new += other.new
    }
}

/// The checkpoint format: the counts of progress are absent from checkpoints written before they were kept,
/// and read as none.
extension MinuteVolume: Codable {
    private enum CodingKeys: String, CodingKey { case minute, tokens, calls, judged, new, judgedTokens, newTokens }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            minute: try c.decode(Int64.self, forKey: .minute), tokens: try c.decode(Int64.self, forKey: .tokens),
            calls: try c.decode(Int32.self, forKey: .calls),
            judged: try c.decodeIfPresent(Int32.self, forKey: .judged) ?? 0,
            new: try c.decodeIfPresent(Int32.self, forKey: .new) ?? 0,
            judgedTokens: try c.decodeIfPresent(Int64.self, forKey: .judgedTokens) ?? 0,
            newTokens: try c.decodeIfPresent(Int64.self, forKey: .newTokens) ?? 0)
    }
}
