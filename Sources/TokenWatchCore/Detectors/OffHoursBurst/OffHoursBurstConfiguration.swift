/// Work hours are local times of day: 09:00 is `minutesFromMidnight` 540.
public struct OffHoursBurstConfiguration: Sendable, Equatable {
    public var enabled = true
    /// The span over which off-hours token volume is summed. Default 1 h.
    public var window: Duration = .seconds(3600)
    /// Start of the working day, local time, minutes after midnight. Default 09:00.
    public var workStartMinute = 9 * 60
    /// End of the working day, local time, minutes after midnight. Default 18:00.
    public var workEndMinute = 18 * 60
    /// Working days, 0 = Monday … 6 = Sunday (other numbers are ignored). Default Monday to Friday.
    public var workDays: Set<Int> {
        get { Set((0..<7).filter(isWorkDay)) }
        set { workDayBits = newValue.reduce(0) { bits, day in (0..<7).contains(day) ? bits | 1 << day : bits } }
    }
    /// The working days as bits (day `d` is bit `d`): asked for every event, where looking a weekday up in a
    /// `Set` means hashing it, and copied with the settings for every event, where a `Set` is a reference to
    /// retain and release.
    private var workDayBits: UInt8 = 0b1_1111
    /// Time zone for users whose events carry no `tz`. Default UTC.
    public var timeZone = "UTC"
    /// The absolute floor: off-hours tokens within the window below this never alert. Agent-era calls carry
    /// 10^4–10^5 input tokens, so a floor a few such calls reach says nothing. Default 500000.
    public var minTokens: Int64 = 500_000
    /// How many times the user's normal hourly volume a burst must reach. Default 5.
    public var multiplier = 5.0
    /// How many days of hourly volume the personal baseline looks back. Default 7.
    public var baselineDays = 7
    /// The baseline is the user's N-th busiest (unalerted) hour within those days: their heavy normal, robust
    /// to one or two outliers. Default 3.
    public var baselineRank = 3
    /// Hours with the person's own calls (not only their agents') needed before a personal baseline is
    /// trusted. Default 8.
    public var warmupActiveHours = 8
    /// The baseline of users still warming up while nobody of their team or organisation is known yet,
    /// tokens per hour. Default 100000.
    public var defaultBaselineTokensPerHour: Int64 = 100_000
    /// A burst is reported only when at most this share of its judged calls' tokens made progress (built on
    /// what came before). Default 0.5.
    public var maxNovelty = 0.5
    /// A burst whose churn (tokens that did not build on anything) reaches this share is `critical`; below,
    /// `warning`. Default 0.9.
    public var criticalChurnShare = 0.9
    /// Count a call whose text is new in its stream as progress, as TokenWatch did before progress was judged
    /// by accumulation: a burst of varied text then stays silent, however it was made. Default false.
    public var countNewTextAsProgress = false

    public init() {}

    /// Whether `weekday` (0 = Monday) is a working day.
    func isWorkDay(_ weekday: Int) -> Bool {
        (0..<7).contains(weekday) && workDayBits & 1 << weekday != 0
    }
}

extension OffHoursBurstConfiguration: DetectorConfiguration, DeclaredSettings {
    private static let dayNames = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]

    static var declaredKeys: [SettingKey<Self>] {
        [
            .bool("enabled", \.enabled),
            .duration("window", \.window),
            .custom(
                "work_hours", \.workStartMinute,
                read: { settings, section in
                    section.subsection("work_hours", keys: ["start", "end"]) { hours in
                        settings.workStartMinute = hours.timeOfDay("start") ?? settings.workStartMinute
                        settings.workEndMinute = hours.timeOfDay("end") ?? settings.workEndMinute
                        if settings.workEndMinute <= settings.workStartMinute {
                            hours.report("end must be after start")
                        }
                    }
                },
                lines: {
                    [
                        "work_hours:", "  start: \(YAMLScalar.timeOfDay($0.workStartMinute))",
                        "  end: \(YAMLScalar.timeOfDay($0.workEndMinute))",
                    ]
                }),
            .custom(
                "work_days", \.workDays,
                read: { settings, section in settings.workDays = section.weekdays("work_days") ?? settings.workDays },
                lines: { ["work_days: \(YAMLScalar.list($0.workDays.sorted().map { Self.dayNames[$0] }))"] }),
            .custom(
                "timezone", \.timeZone,
                read: { settings, section in settings.timeZone = section.timeZone("timezone") ?? settings.timeZone },
                lines: { ["timezone: \(YAMLScalar.quoted($0.timeZone))"] }),
            .integer("min_tokens", \.minTokens, 0...1_000_000_000_000),
            .number("multiplier", \.multiplier, 1...10_000),
            .integer("baseline_days", \.baselineDays, 1...60),
            .integer("baseline_rank", \.baselineRank, 1...100),
            .integer("warmup_active_hours", \.warmupActiveHours, 0...1440),
            .integer("default_baseline_tokens_per_hour", \.defaultBaselineTokensPerHour, 0...1_000_000_000),
            .number("max_novelty", \.maxNovelty, 0...1),
            .number("critical_churn_share", \.criticalChurnShare, 0...1),
            .bool("count_new_text_as_progress", \.countNewTextAsProgress),
        ]
    }

    /// The baseline looks back `baselineDays`, beyond the window.
    var stateHorizon: Duration { .seconds(Int64(baselineDays) * 86_400) }
}
