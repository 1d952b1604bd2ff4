/// Per user: off-hours token volume far above the user's own normal, above a floor, and without progress.
///
/// Off-hours are outside the configured work hours and work days in the user's time zone (the event's `tz`,
/// else the configured default). Working off-hours is never an alert by itself: only a window whose
/// off-hours volume exceeds both `minTokens` and `multiplier` × the user's baseline is a burst, and a burst is
/// reported unless it builds on itself: more than `maxNovelty` of the tokens of its judged calls made
/// progress (see ``ProgressJudgement``: an accumulating session such as a coding agent working or an incident
/// worked in one conversation, or a person asking new things at a person's pace). Varied text alone does not
/// excuse volume: one-shot calls at machine rate with nothing linking them are churn however novel their
/// text. Severity follows the share of churn (`criticalChurnShare`). Calls with neither content nor token
/// history are judged by volume alone.
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
                    $0.record(event, progress: progress, offHours: offHours, prior: prior, configuration)
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
