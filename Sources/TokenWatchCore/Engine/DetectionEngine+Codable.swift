/// A checkpoint: the engine's own state and each shard's, in shard order. The configuration is not part of it.
///
/// A checkpoint of an engine that kept one table per detector for everyone (before the shards) has no
/// `shards`; it is refused with that reason, and the daemon sets it aside and starts afresh.
extension DetectionEngine: Codable {
    private enum CodingKeys: String, CodingKey {
        case shards, population, lifecycle, watermark, nextSequence, eventsProcessed, eventsLate, recentEventIDs
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        guard c.contains(.shards) else {
            throw DecodingError.dataCorruptedError(
                forKey: .shards, in: c,
                debugDescription: "written before detection was split into shards; its state cannot be split")
        }
        self.init(configuration: TokenWatchConfiguration())
        let restored = try c.decode([DetectionShard].self, forKey: .shards)
        guard restored.count == VirtualShard.count else {
            throw DecodingError.dataCorruptedError(
                forKey: .shards, in: c, debugDescription: "\(restored.count) shards, not \(VirtualShard.count)")
        }
        shards = restored
        population = try c.decode(PopulationBaselines.self, forKey: .population)
        let prior = population.prior
        for index in shards.indices { shards[index].detectors.offHoursBurst.prior = prior }
        recentEventIDs = try c.decode(RecentEventIDs.self, forKey: .recentEventIDs)
        lifecycle = try c.decode(AlertLifecycle.self, forKey: .lifecycle)
        watermark = try c.decodeIfPresent(EventTime.self, forKey: .watermark)
        nextSequence = try c.decode(UInt64.self, forKey: .nextSequence)
        eventsProcessed = try c.decode(UInt64.self, forKey: .eventsProcessed)
        eventsLate = try c.decode(UInt64.self, forKey: .eventsLate)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(shards, forKey: .shards)
        try c.encode(population, forKey: .population)
        try c.encode(lifecycle, forKey: .lifecycle)
        try c.encodeIfPresent(watermark, forKey: .watermark)
        try c.encode(nextSequence, forKey: .nextSequence)
        try c.encode(eventsProcessed, forKey: .eventsProcessed)
        try c.encode(eventsLate, forKey: .eventsLate)
        try c.encode(recentEventIDs, forKey: .recentEventIDs)
    }
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
