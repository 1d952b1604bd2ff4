import Foundation

/// Per user: off-hours token volume far above the user's own normal, above a floor, and without progress.
///
/// Off-hours are outside the configured work hours and work days in the user's time zone (the event's `tz`,
/// else the configured default). Working off-hours is never an alert by itself: only a window whose
/// off-hours volume exceeds both `minTokens` and `multiplier` × the user's baseline is a burst, and a burst is
/// busywork only when its calls make no progress: at most `maxNovelty` of the tokens of those whose content is known
/// brought new content (see ``CallNovelty``). A burst of diverse work, an on-call night or a late coding
/// session, stays silent (docs/DETECTION.md says why not `info`). Calls without any content are judged by
/// volume alone.
///
/// The baseline is the user's `baselineRank`-th busiest hour over the last `baselineDays` (their heavy
/// normal, robust to an outlier or two), leaving out hours that raised an alert, so nobody ratchets their
/// own normal upward. Until `warmupActiveHours` hours of the person's own use are known it is the prior of
/// their population (the median heavy normal of their team, else of the organisation; see
/// ``PopulationBaselines``; `defaultBaselineTokensPerHour` while nobody is known), giving way geometrically
/// to their own busiest hour as their hours accumulate, and never below that busiest hour. A rank rather than a percentile, because scheduled agents make every hour of
/// their owner "active" at a low volume and would drag a percentile down to the agents' level.
public struct OffHoursBurstDetector: Sendable, Codable {
    public var configuration = OffHoursBurstConfiguration() {
        didSet {
            fallbackZoneIsValid = clock.localTime(of: EventTime(milliseconds: 0), in: configuration.timeZone) != nil
        }
    }
    var subjects = SubjectTable<String, UserVolume>()
    /// The population's prior for newcomers, as the engine last worked it out (see ``PopulationBaselines``).
    var prior = PopulationPrior()
    /// Trusted baselines found since the engine last collected them, for the population.
    var reports: [BaselineReport] = []
    private var clock = LocalTimeResolver()
    private var fallbackZoneIsValid = true

    private enum CodingKeys: String, CodingKey {
        case subjects = "users"
    }

    public init(configuration: OffHoursBurstConfiguration) {
        self.configuration = configuration
        fallbackZoneIsValid = clock.localTime(of: EventTime(milliseconds: 0), in: configuration.timeZone) != nil
    }

    /// Whether `time` falls outside work hours in the given zone (the configured default when `nil` or unknown).
    public mutating func isOffHours(_ time: EventTime, timeZone: String?) -> Bool {
        isOffHours(time, timeZone: timeZone, hash: timeZone.map(SubjectHash.hash) ?? 0, configuration)
    }

    /// The same, for a zone whose ``SubjectHash`` is `hash`.
    mutating func isOffHours(
        _ time: EventTime, timeZone: String?, hash: UInt64, _ configuration: OffHoursBurstConfiguration
    ) -> Bool {
        let fallbackZoneIsValid =
            configuration.timeZone == self.configuration.timeZone
            ? self.fallbackZoneIsValid
            : clock.localTime(of: time, in: configuration.timeZone) != nil
        let local =
            timeZone.flatMap { clock.localTime(of: time, in: $0, hash: hash) }
            ?? clock.localTime(of: time, in: fallbackZoneIsValid ? configuration.timeZone : "UTC")!
        guard configuration.isWorkDay(local.weekday) else { return true }
        return local.minuteOfDay < configuration.workStartMinute || local.minuteOfDay >= configuration.workEndMinute
    }

    /// Runs one event under `configuration` (the subject's own, when an override applies).
    public mutating func ingest(
        _ event: TokenEvent, keys: EventKeys, progress: CallProgress, arrivedAt now: EventTime,
        with configuration: OffHoursBurstConfiguration, into findings: inout [Finding]
    ) {
        guard configuration.enabled else { return }
        let offHours = isOffHours(event.time, timeZone: event.timeZone, hash: keys.timeZone, configuration)
        // The population's prior is looked up only when the person's baseline is worked out (once per hour
        // of theirs): the first pass says so before changing anything, the second makes the change.
        var prior: Int64?
        while true {
            let outcome = subjects.update(
                event.user, hash: String.subjectHash(keys.user), activeAt: now, orInsert: { UserVolume(configuration) },
                change: {
                    $0.record(event, novelty: progress.novelty, offHours: offHours, prior: prior, configuration)
                })
            guard case .recorded(let finding, let trusted) = outcome else {
                prior = self.prior.baseline(team: event.team, otherwise: configuration.defaultBaselineTokensPerHour)
                continue
            }
            if let trusted { reports.append(BaselineReport(user: event.user, team: event.team, baseline: trusted)) }
            if let finding { findings.append(finding) }
            return
        }
    }
}

/// Coded without the prior and the reports: the engine keeps the population (``PopulationBaselines``).
extension OffHoursBurstDetector {
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        subjects = try c.decode(SubjectTable<String, UserVolume>.self, forKey: .subjects)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(subjects, forKey: .subjects)
    }
}

struct UserVolume: Sendable, Codable {
    /// Off-hours tokens per minute inside the window, oldest first.
    var minutes: [MinuteVolume] = []
    var windowTokens: Int64 = 0
    var windowCalls: Int64 = 0
    var windowJudged: Int64? = 0
    var windowNew: Int64? = 0
    var windowJudgedTokens: Int64? = 0
    var windowNewTokens: Int64? = 0
    /// Tokens per hour over the baseline span, a ring indexed by absolute hour; the top bit marks an hour
    /// that raised an alert, the next one an hour in which the person made calls themselves (not only their
    /// scheduled agents).
    var hours: [UInt32]
    var newestHour: Int64 = .min
    var cachedBaseline: CachedBaseline?
    /// The hour this person's baseline was last given to the population (daily: a prior changes slowly).
    var reportedHour: Int64?
    var evidence = EvidenceRing()

    static let alertedFlag: UInt32 = 1 << 31
    static let personalFlag: UInt32 = 1 << 30
    static let volumeMask: UInt32 = personalFlag - 1

    struct CachedBaseline: Sendable, Codable {
        var hour: Int64
        var value: Int64
        var trusted: Bool?
    }

    /// Calls with known content needed before a burst is judged by its content.
    static let judgedCallsNeeded: Int64 = 5

    init(_ configuration: OffHoursBurstConfiguration) {
        hours = Array(repeating: 0, count: max(configuration.baselineDays, 1) * 24)
    }

    enum Outcome {
        /// The baseline must be worked out for this hour: call again with the population's prior.
        case needsPrior
        /// A finding when the window is busywork, and the user's baseline when it was newly worked out and
        /// trusted, for the population.
        case recorded(Finding?, trusted: Int64?)
    }

    mutating func record(
        _ event: TokenEvent, novelty: CallNovelty, offHours: Bool, prior: Int64?,
        _ configuration: OffHoursBurstConfiguration
    ) -> Outcome {
        if hours.count != max(configuration.baselineDays, 1) * 24 {
            resize(toHours: max(configuration.baselineDays, 1) * 24)
        }
        let hour = event.time.milliseconds / 3_600_000
        // The baseline is needed off-hours, and once a day for the population's prior; not on every call.
        let reportDue = reportedHour.map { hour >= $0 + 24 } ?? true
        guard offHours || reportDue else {
            addToHour(hour, event.totalTokens, personal: event.agent == nil)
            return .recorded(nil, trusted: nil)
        }
        let fresh = cachedBaseline?.hour != hour
        guard !fresh || prior != nil else { return .needsPrior }
        addToHour(hour, event.totalTokens, personal: event.agent == nil)
        let (baseline, trusted) = baseline(at: hour, prior: prior ?? 0, configuration)
        var newlyTrusted: Int64?
        if reportDue && trusted {
            newlyTrusted = baseline
            reportedHour = hour
        }
        guard offHours else { return .recorded(nil, trusted: newlyTrusted) }
        return .recorded(
            burst(event, novelty: novelty, hour: hour, baseline: baseline, configuration), trusted: newlyTrusted)
    }

    private mutating func burst(
        _ event: TokenEvent, novelty: CallNovelty, hour: Int64, baseline: Int64,
        _ configuration: OffHoursBurstConfiguration
    ) -> Finding? {
        let minute = event.time.milliseconds / 60_000
        let windowMinutes = max(configuration.window.milliseconds / 60_000, 1)
        addToWindow(event, novelty: novelty, minute: minute, windowMinutes: windowMinutes)

        let scaledBaseline = Double(baseline) * Double(windowMinutes) / 60
        let limit = max(Double(configuration.minTokens), configuration.multiplier * scaledBaseline)
        guard Double(windowTokens) >= limit else { return nil }
        // A burst is busywork only without progress; calls with no content at all leave volume to judge.
        // Weighted by tokens: a scheduled status check repeating itself beside an evening of new work is a few
        // hundred tokens of repeats, not half of the evening.
        let judgedCalls = windowJudged ?? 0
        let newCalls = windowNew ?? 0
        let judgedTokens = max(windowJudgedTokens ?? 0, 1)
        let newTokens = windowNewTokens ?? 0
        if judgedCalls > 0 {
            guard judgedCalls >= Self.judgedCallsNeeded,
                Double(newTokens) <= configuration.maxNovelty * Double(judgedTokens)
            else { return nil }
        }
        let novelty = judgedCalls > 0 ? (Double(newTokens) / Double(judgedTokens) * 100).rounded() / 100 : nil

        markAlerted(hour)
        let windowStart = EventTime(milliseconds: (minutes.first?.minute ?? minute) * 60_000)
        let figures = BurstFigures(
            tokens: windowTokens, calls: windowCalls, baseline: baseline, windowMinutes: windowMinutes,
            novelty: novelty, newCalls: newCalls, judgedCalls: judgedCalls, limit: limit)
        return Finding(
            detector: .offHoursBurst,
            key: event.user,
            subject: AlertSubject(user: event.user),
            time: event.time,
            windowStart: windowStart,
            excess: Double(windowTokens) / limit,
            details: { [evidence] in figures.details(configuration, evidence: evidence) })
    }

    /// Slides the window to `minute` and adds the event to it.
    private mutating func addToWindow(_ event: TokenEvent, novelty: CallNovelty, minute: Int64, windowMinutes: Int64) {
        let judged: Int32 = novelty.isKnown ? 1 : 0
        let new: Int32 = novelty.isNew ? 1 : 0
        let judgedTokens = novelty.isKnown ? event.totalTokens : 0
        let newTokens = novelty.isNew ? event.totalTokens : 0
        while let first = minutes.first, first.minute <= minute - windowMinutes {
            windowTokens -= first.tokens
            windowCalls -= Int64(first.calls)
            windowJudged = (windowJudged ?? 0) - Int64(first.judged)
            windowNew = (windowNew ?? 0) - Int64(first.new)
            windowJudgedTokens = (windowJudgedTokens ?? 0) - first.judgedTokens
            windowNewTokens = (windowNewTokens ?? 0) - first.newTokens
            minutes.removeFirst()
        }
        // A slightly late event goes to the newest minute rather than reorder.
        if let last = minutes.last, last.minute >= minute {
            minutes[minutes.count - 1].tokens += event.totalTokens
            minutes[minutes.count - 1].calls += 1
            minutes[minutes.count - 1].judged += judged
            minutes[minutes.count - 1].new += new
            minutes[minutes.count - 1].judgedTokens += judgedTokens
            minutes[minutes.count - 1].newTokens += newTokens
        } else {
            minutes.append(
                MinuteVolume(
                    minute: minute, tokens: event.totalTokens, calls: 1, judged: judged, new: new,
                    judgedTokens: judgedTokens, newTokens: newTokens))
        }
        windowTokens += event.totalTokens
        windowCalls += 1
        windowJudged = (windowJudged ?? 0) + Int64(judged)
        windowNew = (windowNew ?? 0) + Int64(new)
        windowJudgedTokens = (windowJudgedTokens ?? 0) + judgedTokens
        windowNewTokens = (windowNewTokens ?? 0) + newTokens
        evidence.record(event.id)
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
    private mutating func baseline(at hour: Int64, prior: Int64, _ configuration: OffHoursBurstConfiguration)
        -> (value: Int64, trusted: Bool)
    {
        if let cached = cachedBaseline, cached.hour == hour { return (cached.value, cached.trusted ?? false) }
        var trusted = false
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
                // Not yet trusted (or no hour known at all, possible with `warmup_active_hours: 0`): the
                // population's prior, giving way to the person's own busiest hour as their hours accumulate
                // (geometrically: a light user most of the way warm is not judged by a heavy team's normal,
                // which can be a thousand times theirs), and never below that busiest hour, so that a heavy
                // user's first evening is not mistaken for a burst.
                let busiest = kept > 0 ? largest[0] : 0
                let warmup = configuration.warmupActiveHours
                guard warmup > 0, busiest > 0, prior > busiest else { return max(prior, busiest) }
                let own = Double(min(personalHours, warmup)) / Double(warmup)
                let blend = exp(own * log(Double(busiest)) + (1 - own) * log(Double(prior)))
                return max(Int64(blend.rounded()), busiest)
            }
            trusted = true
            // The rank-th largest, or the smallest when fewer hours are known.
            return largest[kept - 1]
        }
        cachedBaseline = CachedBaseline(hour: hour, value: value, trusted: trusted)
        return (value, trusted)
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
