import Foundation

/// One person's off-hours volume: the window's minutes and their sums, and the hourly volumes their baseline
/// is worked out from.
struct UserVolume: Sendable {
    /// Off-hours volume per minute inside the window, and its sums.
    var window = MinuteWindow<MinuteVolume>()
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
        _ event: TokenEvent, progress: CallProgress, offHours: Bool, prior: Int64?,
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
            burst(event, progress: progress, hour: hour, baseline: baseline, configuration), trusted: newlyTrusted)
    }

    private mutating func burst(
        _ event: TokenEvent, progress: CallProgress, hour: Int64, baseline: Int64,
        _ configuration: OffHoursBurstConfiguration
    ) -> Finding? {
        let minute = event.time.milliseconds / 60_000
        let windowMinutes = max(configuration.window.milliseconds / 60_000, 1)
        // Judged by whether the calls built on what came before; new text counts only when the operator asks.
        let judged = configuration.countNewTextAsProgress ? progress.novelty.isKnown : progress.judgement != .unknown
        let made = configuration.countNewTextAsProgress ? progress.novelty.isNew : progress.judgement == .progress
        let call = MinuteVolume(
            tokens: event.totalTokens, calls: 1, judged: judged ? 1 : 0, new: made ? 1 : 0,
            judgedTokens: judged ? event.totalTokens : 0, newTokens: made ? event.totalTokens : 0)
        window.add(call, at: minute, windowMinutes: windowMinutes)
        evidence.record(event.id)

        let scaledBaseline = Double(baseline) * Double(windowMinutes) / 60
        let limit = max(Double(configuration.minTokens), configuration.multiplier * scaledBaseline)
        let total = window.total
        guard Double(total.tokens) >= limit else { return nil }
        // A burst is busywork unless most of it built on itself (an accumulating session, a person asking new
        // things at a person's pace); calls with neither content nor token history leave volume to judge.
        // Weighted by tokens: a scheduled status check repeating itself beside an evening of accumulating work
        // is a few hundred tokens of churn, not half of the evening.
        let judgedCalls = Int64(total.judged)
        let newCalls = Int64(total.new)
        let judgedTokens = max(total.judgedTokens, 1)
        let newTokens = total.newTokens
        if judgedCalls > 0 {
            guard judgedCalls >= Self.judgedCallsNeeded,
                Double(newTokens) <= configuration.maxNovelty * Double(judgedTokens)
            else { return nil }
        }
        let novelty = judgedCalls > 0 ? (Double(newTokens) / Double(judgedTokens) * 100).rounded() / 100 : nil

        markAlerted(hour)
        // Severity follows the share of churn: all but a sliver of the burst going nowhere is critical.
        let severity: AlertSeverity? =
            novelty.map { 1 - $0 >= configuration.criticalChurnShare ? .critical : .warning }
        let windowStart = EventTime(milliseconds: (window.firstMinute ?? minute) * 60_000)
        let figures = BurstFigures(
            tokens: total.tokens, calls: Int64(total.calls), baseline: baseline, windowMinutes: windowMinutes,
            novelty: novelty, newCalls: newCalls, judgedCalls: judgedCalls, limit: limit)
        var finding = Finding(
            detector: .offHoursBurst,
            key: event.user,
            subject: AlertSubject(user: event.user),
            time: event.time,
            windowStart: windowStart,
            excess: Double(total.tokens) / limit,
            details: { [evidence] in figures.details(configuration, evidence: evidence) })
        finding.severity = severity
        return finding
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

/// The checkpoint format: the window's sums of progress are absent from checkpoints written before they were
/// kept, and read as none (as the minutes' counts are, ``MinuteVolume``).
extension UserVolume: Codable {
    private enum CodingKeys: String, CodingKey {
        case minutes, windowTokens, windowCalls, windowJudged, windowNew, windowJudgedTokens, windowNewTokens, hours
        case newestHour, cachedBaseline, reportedHour, evidence
    }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        var total = MinuteVolume()
        total.tokens = try c.decode(Int64.self, forKey: .windowTokens)
        total.calls = Int32(truncatingIfNeeded: try c.decode(Int64.self, forKey: .windowCalls))
        total.judged = Int32(truncatingIfNeeded: try c.decodeIfPresent(Int64.self, forKey: .windowJudged) ?? 0)
        total.new = Int32(truncatingIfNeeded: try c.decodeIfPresent(Int64.self, forKey: .windowNew) ?? 0)
        total.judgedTokens = try c.decodeIfPresent(Int64.self, forKey: .windowJudgedTokens) ?? 0
        total.newTokens = try c.decodeIfPresent(Int64.self, forKey: .windowNewTokens) ?? 0
        window = MinuteWindow(
            minutes: try c.decode([MinuteWindow<MinuteVolume>.Minute].self, forKey: .minutes), total: total)
        hours = try c.decode([UInt32].self, forKey: .hours)
        newestHour = try c.decode(Int64.self, forKey: .newestHour)
        cachedBaseline = try c.decodeIfPresent(CachedBaseline.self, forKey: .cachedBaseline)
        reportedHour = try c.decodeIfPresent(Int64.self, forKey: .reportedHour)
        evidence = try c.decode(EvidenceRing.self, forKey: .evidence)
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        let total = window.total
        try c.encode(window.minutes, forKey: .minutes)
        try c.encode(total.tokens, forKey: .windowTokens)
        try c.encode(Int64(total.calls), forKey: .windowCalls)
        try c.encode(Int64(total.judged), forKey: .windowJudged)
        try c.encode(Int64(total.new), forKey: .windowNew)
        try c.encode(total.judgedTokens, forKey: .windowJudgedTokens)
        try c.encode(total.newTokens, forKey: .windowNewTokens)
        try c.encode(hours, forKey: .hours)
        try c.encode(newestHour, forKey: .newestHour)
        try c.encodeIfPresent(cachedBaseline, forKey: .cachedBaseline)
        try c.encodeIfPresent(reportedHour, forKey: .reportedHour)
        try c.encode(evidence, forKey: .evidence)
    }
}
