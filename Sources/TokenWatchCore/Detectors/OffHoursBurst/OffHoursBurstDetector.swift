/// Per user: token volume during that user's off-hours far above the user's own normal, and above a floor.
///
/// Off-hours are outside the configured work hours and work days in the user's time zone (the event's `tz`,
/// else the configured default). Working off-hours is never an alert by itself: only a window whose
/// off-hours volume exceeds both `minTokens` and `multiplier` × the user's baseline is. The baseline is the
/// user's `baselineRank`-th busiest hour over the last `baselineDays` (their heavy normal, robust to an
/// outlier or two), leaving out hours that raised an alert, so nobody ratchets their own normal upward; until
/// `warmupActiveHours` active hours are known it is `defaultBaselineTokensPerHour` or the busiest hour so
/// far, whichever is higher. A rank rather than a percentile, because scheduled agents make every hour of
/// their owner "active" at a low volume and would drag a percentile down to the agents' level.
public struct OffHoursBurstDetector: Sendable, Codable {
    public var configuration = OffHoursBurstConfiguration() {
        didSet {
            fallbackZoneIsValid = clock.localTime(of: EventTime(milliseconds: 0), in: configuration.timeZone) != nil
        }
    }
    var subjects = SubjectTable<String, UserVolume>()
    private var clock = LocalTimeResolver()
    private var fallbackZoneIsValid = true

    private enum CodingKeys: String, CodingKey { case subjects = "users" }

    public init(configuration: OffHoursBurstConfiguration) {
        self.configuration = configuration
        fallbackZoneIsValid = clock.localTime(of: EventTime(milliseconds: 0), in: configuration.timeZone) != nil
    }

    /// Whether `time` falls outside work hours in the given zone (the configured default when `nil` or unknown).
    public mutating func isOffHours(_ time: EventTime, timeZone: String?) -> Bool {
        isOffHours(time, timeZone: timeZone, configuration)
    }

    mutating func isOffHours(_ time: EventTime, timeZone: String?, _ configuration: OffHoursBurstConfiguration) -> Bool
    {
        let fallbackZoneIsValid =
            configuration.timeZone == self.configuration.timeZone
            ? self.fallbackZoneIsValid
            : clock.localTime(of: time, in: configuration.timeZone) != nil
        let local =
            timeZone.flatMap { clock.localTime(of: time, in: $0) }
            ?? clock.localTime(of: time, in: fallbackZoneIsValid ? configuration.timeZone : "UTC")!
        guard configuration.workDays.contains(local.weekday) else { return true }
        return local.minuteOfDay < configuration.workStartMinute || local.minuteOfDay >= configuration.workEndMinute
    }

    /// Runs one event under `configuration` (the subject's own, when an override applies).
    public mutating func ingest(
        _ event: TokenEvent, arrivedAt now: EventTime, with configuration: OffHoursBurstConfiguration,
        into findings: inout [Finding]
    ) {
        guard configuration.enabled else { return }
        let offHours = isOffHours(event.time, timeZone: event.timeZone, configuration)
        let finding = subjects.update(
            event.user, activeAt: now, orInsert: { UserVolume(configuration) },
            change: {
                $0.record(event, offHours: offHours, configuration)
            })
        if let finding { findings.append(finding) }
    }
}

struct MinuteVolume: Sendable, Codable {
    var minute: Int64
    var tokens: Int64
    var calls: Int32
}

struct UserVolume: Sendable, Codable {
    /// Off-hours tokens per minute inside the window, oldest first.
    var minutes: [MinuteVolume] = []
    var windowTokens: Int64 = 0
    var windowCalls: Int64 = 0
    /// Tokens per hour over the baseline span, a ring indexed by absolute hour; the top bit marks an hour
    /// that raised an alert, the next one an hour in which the person made calls themselves (not only their
    /// scheduled agents).
    var hours: [UInt32]
    var newestHour: Int64 = .min
    var cachedBaseline: CachedBaseline?
    var evidence = EvidenceRing()

    static let alertedFlag: UInt32 = 1 << 31
    static let personalFlag: UInt32 = 1 << 30
    static let volumeMask: UInt32 = personalFlag - 1

    struct CachedBaseline: Sendable, Codable {
        var hour: Int64
        var value: Int64
    }

    init(_ configuration: OffHoursBurstConfiguration) {
        hours = Array(repeating: 0, count: max(configuration.baselineDays, 1) * 24)
    }

    mutating func record(_ event: TokenEvent, offHours: Bool, _ configuration: OffHoursBurstConfiguration) -> Finding? {
        if hours.count != max(configuration.baselineDays, 1) * 24 {
            resize(toHours: max(configuration.baselineDays, 1) * 24)
        }
        let hour = event.time.milliseconds / 3_600_000
        addToHour(hour, event.totalTokens, personal: event.agent == nil)
        guard offHours else { return nil }

        let minute = event.time.milliseconds / 60_000
        let windowMinutes = max(configuration.window.milliseconds / 60_000, 1)
        while let first = minutes.first, first.minute <= minute - windowMinutes {
            windowTokens -= first.tokens
            windowCalls -= Int64(first.calls)
            minutes.removeFirst()
        }
        if let last = minutes.last, last.minute == minute {
            minutes[minutes.count - 1].tokens += event.totalTokens
            minutes[minutes.count - 1].calls += 1
        } else if let last = minutes.last, last.minute > minute {
            // A slightly late event: add it to the newest minute rather than reorder.
            minutes[minutes.count - 1].tokens += event.totalTokens
            minutes[minutes.count - 1].calls += 1
        } else {
            minutes.append(MinuteVolume(minute: minute, tokens: event.totalTokens, calls: 1))
        }
        windowTokens += event.totalTokens
        windowCalls += 1
        evidence.record(event.id)

        let baseline = baseline(at: hour, configuration)
        let scaledBaseline = Double(baseline) * Double(windowMinutes) / 60
        let limit = max(Double(configuration.minTokens), configuration.multiplier * scaledBaseline)
        guard Double(windowTokens) >= limit else { return nil }

        markAlerted(hour)
        let windowStart = EventTime(milliseconds: (minutes.first?.minute ?? minute) * 60_000)
        return Finding(
            detector: .offHoursBurst,
            key: event.user,
            subject: AlertSubject(user: event.user),
            time: event.time,
            windowStart: windowStart,
            observed: [
                ("tokens", .integer(windowTokens)),
                ("calls", .integer(windowCalls)),
                ("baseline_tokens_per_hour", .integer(baseline)),
                ("window_seconds", .integer(windowMinutes * 60)),
            ],
            threshold: [
                ("min_tokens", .integer(configuration.minTokens)),
                ("multiplier", .number(configuration.multiplier)),
                ("limit_tokens", .integer(Int64(limit.rounded(.up)))),
            ],
            excess: Double(windowTokens) / limit,
            summary: "\(windowTokens) tokens in \(windowCalls) calls outside work hours within \(windowMinutes) min, "
                + "against a usual \(baseline) per hour",
            evidence: evidence.ids)
    }

    /// Keeps the most recent hours when a reload changes `baselineDays`.
    private mutating func resize(toHours count: Int) {
        var resized = [UInt32](repeating: 0, count: count)
        if newestHour != .min {
            let oldCount = Int64(hours.count)
            let kept = Int64(min(count, hours.count))
            for past in (newestHour - kept + 1)...newestHour {
                resized[Int(past % Int64(count))] = hours[Int(past % oldCount)]
            }
        }
        hours = resized
        cachedBaseline = nil
    }

    private mutating func addToHour(_ hour: Int64, _ tokens: Int64, personal: Bool) {
        let span = Int64(hours.count)
        if hour > newestHour {
            // Clear the slots of the hours skipped since the newest one.
            let gap = newestHour == .min ? span : min(hour - newestHour, span)
            for offset in 0..<gap { hours[Int((hour - offset) % span)] = 0 }
            newestHour = hour
        } else if hour <= newestHour - span {
            return  // older than the baseline span
        }
        let slot = Int(hour % span)
        let flags = (hours[slot] & ~Self.volumeMask) | (personal ? Self.personalFlag : 0)
        let volume = Int64(hours[slot] & Self.volumeMask)
        hours[slot] = flags | UInt32(min(volume + tokens, Int64(Self.volumeMask)))
    }

    private mutating func markAlerted(_ hour: Int64) {
        guard hour > newestHour - Int64(hours.count) else { return }
        hours[Int(hour % Int64(hours.count))] |= Self.alertedFlag
    }

    /// The `baselineRank`-th largest active, unalerted hourly volume before `hour`; cached per hour.
    ///
    /// The largest `baselineRank` volumes are kept in a small sorted buffer while the hours are read, instead
    /// of gathering and sorting them all: this runs for every user at each new off-hours hour, and the array
    /// and sort cost as much as the rest of the detector.
    private mutating func baseline(at hour: Int64, _ configuration: OffHoursBurstConfiguration) -> Int64 {
        if let cached = cachedBaseline, cached.hour == hour { return cached.value }
        let span = Int64(hours.count)
        let rank = max(configuration.baselineRank, 1)
        let earliest = max(hour - span + 1, newestHour - span + 1)
        let value = withUnsafeTemporaryAllocation(of: Int64.self, capacity: rank) { largest -> Int64 in
            // `largest[0..<kept]`: the largest volumes so far, in descending order.
            var kept = 0
            var personalHours = 0
            for past in earliest..<max(earliest, hour) {
                let value = hours[Int(past % span)]
                guard value & Self.volumeMask != 0, value & Self.alertedFlag == 0 else { continue }
                if value & Self.personalFlag != 0 { personalHours += 1 }
                let volume = Int64(value & Self.volumeMask)
                guard kept < rank || volume > largest[rank - 1] else { continue }
                var slot = min(kept, rank - 1)
                while slot > 0 && largest[slot - 1] < volume {
                    largest[slot] = largest[slot - 1]
                    slot -= 1
                }
                largest[slot] = volume
                kept = min(kept + 1, rank)
            }
            // Trust is earned by hours of the person's own use: hours filled only by their scheduled agents say
            // nothing about how heavily they work.
            guard personalHours >= configuration.warmupActiveHours, kept > 0 else {
                // Not yet trusted (or no hour known at all, possible with `warmup_active_hours: 0`): the default,
                // or the busiest hour seen so far if higher, so that a heavy user's first evening is not
                // mistaken for a burst.
                return max(configuration.defaultBaselineTokensPerHour, kept > 0 ? largest[0] : 0)
            }
            // The rank-th largest, or the smallest when fewer hours are known.
            return largest[kept - 1]
        }
        cachedBaseline = CachedBaseline(hour: hour, value: value)
        return value
    }
}

extension OffHoursBurstDetector: SubjectTableDetector {
    static let name = DetectorName.offHoursBurst
    /// The key its state has always had in checkpoints.
    static let checkpointKey = "offHoursBurst"
}

extension DetectorSettings {
    public var offHoursBurst: OffHoursBurstConfiguration {
        get { self[OffHoursBurstDetector.self] }
        set { self[OffHoursBurstDetector.self] = newValue }
    }
}

extension DetectorName {
    public static let offHoursBurst = DetectorName(declaring: "offhours_burst")
}
