/// Figures that a ``MinuteWindow`` keeps per minute and sums over the window: one minute's calls, or the
/// whole window's.
protocol MinuteFigures: Sendable {
    init()
    mutating func add(_ other: Self)
    mutating func subtract(_ other: Self)
}

/// A subject's figures per minute over a sliding window, with their sums kept as the window slides.
///
/// What a detector that judges a share or a volume over minutes needs: a call costs one addition to the newest
/// minute and one to the sums, and a minute leaving the window one subtraction, however many calls it held.
/// Calls are kept by minute rather than one by one, so a subject busy every few seconds keeps one entry per
/// minute of the window.
struct MinuteWindow<Figures: MinuteFigures>: Sendable {
    struct Minute: Sendable {
        /// Minutes since 1970.
        var minute: Int64
        var figures: Figures
    }

    /// Oldest first.
    private(set) var minutes: [Minute] = []
    /// The sums of `minutes`.
    private(set) var total = Figures()

    init() {}

    /// Drops the minutes `windowMinutes` or more before `minute`, then adds `figures` to that minute. A
    /// slightly late call goes to the newest minute rather than reorder the window.
    mutating func add(_ figures: Figures, at minute: Int64, windowMinutes: Int64) {
        while let first = minutes.first, first.minute <= minute - windowMinutes {
            total.subtract(first.figures)
            minutes.removeFirst()
        }
        if let last = minutes.indices.last, minutes[last].minute >= minute {
            minutes[last].figures.add(figures)
        } else {
            minutes.append(Minute(minute: minute, figures: figures))
        }
        total.add(figures)
    }

    /// The sums of the minutes within the last `windowMinutes` up to `minute`, and the first such minute.
    func sum(lastMinutes windowMinutes: Int64, at minute: Int64) -> (figures: Figures, firstMinute: Int64?) {
        var sum = Figures()
        var first: Int64?
        for entry in minutes.reversed() {
            guard entry.minute > minute - windowMinutes else { break }
            sum.add(entry.figures)
            first = entry.minute
        }
        return (sum, first)
    }

    /// The first minute kept.
    var firstMinute: Int64? { minutes.first?.minute }

    /// A window as a checkpoint kept it: its minutes, and the sums it kept beside them.
    init(minutes: [Minute], total: Figures) {
        self.minutes = minutes
        self.total = total
    }
}

/// In a checkpoint a minute is one object: `minute` beside the figures' own keys (`{"minute":…,"tokens":…}`),
/// the form the detectors' windows have always been kept in.
extension MinuteWindow.Minute: Codable where Figures: Codable {
    private enum CodingKeys: String, CodingKey { case minute }

    init(from decoder: any Decoder) throws {
        minute = try decoder.container(keyedBy: CodingKeys.self).decode(Int64.self, forKey: .minute)
        figures = try Figures(from: decoder)
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(minute, forKey: .minute)
        try figures.encode(to: encoder)
    }
}
