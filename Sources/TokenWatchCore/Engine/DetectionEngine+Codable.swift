/// A checkpoint: the engine's own state and each shard's, in shard order. The configuration is not part of it.
///
/// A checkpoint written before the shards (one table per detector for everyone, no `shards`) is read too: its
/// detectors' state is split by shard when it is restored under a configuration (see
/// ``init(restoring:configuration:)``).
extension DetectionEngine: Codable {
    private enum CodingKeys: String, CodingKey {
        case shards, population, lifecycle, watermark, nextSequence, eventsProcessed, eventsLate, recentEventIDs
        case progress, subjectsEvicted, spending
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(configuration: TokenWatchConfiguration())
        if c.contains(.shards) {
            let restored = try c.decode([DetectionShard].self, forKey: .shards)
            guard restored.count == VirtualShard.count else {
                throw DecodingError.dataCorruptedError(
                    forKey: .shards, in: c, debugDescription: "\(restored.count) shards, not \(VirtualShard.count)")
            }
            shards = restored
            population = try c.decode(PopulationBaselines.self, forKey: .population)
        } else {
            try readUnsharded(from: decoder)
        }
        recentEventIDs =
            try c.decodeIfPresent(RecentEventIDs.self, forKey: .recentEventIDs) ?? RecentEventIDs(capacity: 0)
        lifecycle = try c.decode(AlertLifecycle.self, forKey: .lifecycle)
        watermark = try c.decodeIfPresent(EventTime.self, forKey: .watermark)
        nextSequence = try c.decode(UInt64.self, forKey: .nextSequence)
        eventsProcessed = try c.decode(UInt64.self, forKey: .eventsProcessed)
        eventsLate = try c.decode(UInt64.self, forKey: .eventsLate)
        spending = try c.decodeIfPresent(TeamSpending.self, forKey: .spending) ?? TeamSpending()
        let prior = population.prior
        for index in shards.indices { shards[index].detectors.offHoursBurst.prior = prior }
    }

    /// The state of a checkpoint written before the shards: the detectors under their keys at the top, the
    /// progress measure, and the population inside `offhours_burst`. Kept whole until restored.
    private mutating func readUnsharded(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        var whole = shards[0]
        whole.detectors = try DetectorSuite(from: decoder)
        whole.progress = try c.decodeIfPresent(ProgressTracker.self, forKey: .progress) ?? ProgressTracker()
        whole.subjectsEvicted = try c.decodeIfPresent(UInt64.self, forKey: .subjectsEvicted) ?? 0
        unsharded = whole
        let detectors = try decoder.container(keyedBy: DetectorSuite.StateKey.self)
        let offHours = DetectorSuite.StateKey(stringValue: OffHoursBurstDetector.checkpointKey)
        if detectors.contains(offHours) {
            let state = try detectors.nestedContainer(keyedBy: DetectorSuite.StateKey.self, forKey: offHours)
            population =
                try state.decodeIfPresent(PopulationBaselines.self, forKey: .init(stringValue: "population"))
                ?? PopulationBaselines()
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        var engine = self
        engine.splitUnsharded(pseudonymised: false)
        try c.encode(engine.shards, forKey: .shards)
        try c.encode(population, forKey: .population)
        try c.encode(lifecycle, forKey: .lifecycle)
        try c.encodeIfPresent(watermark, forKey: .watermark)
        try c.encode(nextSequence, forKey: .nextSequence)
        try c.encode(eventsProcessed, forKey: .eventsProcessed)
        try c.encode(eventsLate, forKey: .eventsLate)
        try c.encode(recentEventIDs, forKey: .recentEventIDs)
        try c.encode(spending, forKey: .spending)
    }
}

extension DetectionEngine {
    /// Puts the state of a checkpoint written before the shards into the shards of its users. Under
    /// pseudonymisation its tables are keyed by pseudonyms, whose users (and so shards) cannot be known: the
    /// windows and baselines are then dropped, and what spans people (open incidents, `seq`, duplicate ids,
    /// the population's prior) is kept.
    mutating func splitUnsharded(pseudonymised: Bool) {
        guard let whole = unsharded else { return }
        unsharded = nil
        let rules = rules
        if pseudonymised {
            upgrade = .windowsDropped
            shards = (0..<VirtualShard.count).map { _ in DetectionShard(rules: rules) }
            return
        }
        let detectors = whole.detectors.split(into: VirtualShard.count, by: VirtualShard.of(user:))
        let progress = whole.progress.split(into: VirtualShard.count, by: VirtualShard.of(user:))
        for index in shards.indices {
            shards[index] = DetectionShard(rules: rules)
            shards[index].detectors = detectors[index]
            shards[index].progress = progress[index]
        }
        shards[0].subjectsEvicted = whole.subjectsEvicted
        upgrade = .split
    }
}

/// What restoring did to a checkpoint written before the engine's shards, for the log.
public enum CheckpointUpgrade: Sendable, Equatable {
    /// Every detector's state went to the shards of its users.
    case split
    /// Users are pseudonymised, so their shards are unknown: windows and baselines start afresh.
    case windowsDropped
}

/// A shard's state: each detector under its ``Detector/checkpointKey``, the progress measure, and the count
/// of subjects it evicted. Pseudonyms are not kept: they follow from the key.
extension DetectionShard: Codable {
    private enum CodingKeys: String, CodingKey { case progress, subjectsEvicted }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        detectors = try DetectorSuite(from: decoder)
        progress = try c.decode(ProgressTracker.self, forKey: .progress)
        subjectsEvicted = try c.decode(UInt64.self, forKey: .subjectsEvicted)
    }

    func encode(to encoder: any Encoder) throws {
        try detectors.encode(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(progress, forKey: .progress)
        try c.encode(subjectsEvicted, forKey: .subjectsEvicted)
    }
}
