/// Per user: many prompts within the window that are the same or nearly the same text.
///
/// Each user's recent prompts are grouped into clusters of near-duplicates (see ``PromptFingerprint``);
/// a cluster that reaches `minRepeats` occurrences within the window is an incident. Re-running a prompt two
/// or three times stays far below that. Calls one of the person's agents made on another's behalf (a loop's
/// iterations, a crew's steps) are left to `agent_loop`, which says what the loop is: otherwise one agent
/// cycling through three texts would raise three more alerts here. A prompt sent in a conversation whose
/// context is accumulating (see ``ProgressJudgement``) is a follow-up in work that builds on itself ("ok, now
/// add error handling" for the fifth time in a growing session), not a repeat; the same result coming back
/// still counts.
public struct RepetitivePromptsDetector: Sendable, Codable {
    public var configuration = RepetitivePromptsConfiguration()
    var subjects = SubjectTable<String, UserPrompts>()
    /// Made once per threshold, not per prompt (it holds a small table).
    private var cutoff = SimilarityCutoff(RepetitivePromptsConfiguration().similarity)

    private enum CodingKeys: String, CodingKey { case subjects = "users" }

    public init(configuration: RepetitivePromptsConfiguration) {
        self.configuration = configuration
    }

    /// Runs one event under `configuration` (the subject's own, when an override applies).
    public mutating func ingest(
        _ event: TokenEvent, keys: EventKeys, progress: CallProgress, arrivedAt now: EventTime,
        with configuration: RepetitivePromptsConfiguration, into findings: inout [Finding]
    ) {
        guard configuration.enabled, !progress.inAgentChain, !progress.reason.accumulated, let prompt = event.prompt,
            prompt.wordCount.map({ $0 >= configuration.minWords }) ?? true
        else { return }
        if cutoff.threshold != configuration.similarity { cutoff = SimilarityCutoff(configuration.similarity) }
        let cutoff = cutoff
        let finding = subjects.update(
            event.user, hash: String.subjectHash(keys.user), activeAt: now, orInsert: { UserPrompts() },
            change: {
                $0.record(prompt, of: event, configuration, cutoff)
            })
        if let finding { findings.append(finding) }
    }
}

/// One user's clusters of near-duplicate prompts, laid out for the search every prompt makes.
///
/// Most prompts are seen once, and every prompt is compared with each cluster of its author, so the layout
/// serves those two cases: what the search reads of a cluster (``ClusterHeader``) sits in one packed array,
/// the clusters' sketches end to end in another (one allocation per user rather than one per cluster, read
/// in order rather than chased through pointers), and a cluster's history (occurrence times, evidence,
/// variants) is kept in full only from its second occurrence on. A cluster's index is the same in all three
/// arrays, and clusters stay in creation order (ties between equally similar clusters go to the later one).
struct UserPrompts: Sendable {
    private var headers: [ClusterHeader] = []
    private var sketches: [UInt32] = []
    private var histories: [ClusterHistory] = []
    /// At most the earliest `newest` of any live cluster, so that a prompt checks for expired clusters with one
    /// comparison instead of a scan. A lower bound, not the minimum: a cluster's `newest` only grows, and the
    /// bound is made exact again whenever expired clusters are found.
    private var earliestNewest = EventTime(milliseconds: .max)
    /// Clusters found expired and marked dead (``ClusterHeader/dead``) but still in the arrays. Removing them
    /// closes gaps in all three arrays, so it waits until they are at least ``minDeadToRemove`` and half of
    /// the clusters, or until the room is needed; a search skips them meanwhile, so matching is as if they
    /// were gone.
    private var deadCount = 0
    private static let minDeadToRemove = 4

    mutating func record(
        _ prompt: PromptFingerprint, of event: TokenEvent, _ configuration: RepetitivePromptsConfiguration,
        _ cutoff: SimilarityCutoff
    ) -> Finding? {
        let start = event.time - configuration.window
        if deadCount >= Self.minDeadToRemove && deadCount * 2 >= headers.count { removeDeadClusters() }
        // Made once: the search checks it against every cluster, and a new cluster keeps it.
        let signature = prompt.shingles.withUnsafeBufferPointer { SketchSignature($0) }
        guard let index = findCluster(of: prompt, signature: signature, windowStart: start, configuration, cutoff)
        else {
            return addCluster(prompt, signature: signature, of: event, configuration)
        }
        return recordRepeat(of: prompt, at: index, event, windowStart: start, configuration)
    }

    /// The cluster `prompt` belongs to, in one pass: the first exact repeat wins; until one is found, the most
    /// similar near-duplicate (the costly part, cut short by the cutoff, see ``SimilarityCutoff``).
    /// Similarities worked out before an exact repeat further on are wasted, never wrong. When a cluster may
    /// have expired, the pass also marks the expired ones dead (every header is read then, even after an exact
    /// repeat) and works out the earliest `newest` of the others.
    private mutating func findCluster(
        of prompt: PromptFingerprint, signature: SketchSignature, windowStart start: EventTime,
        _ configuration: RepetitivePromptsConfiguration, _ cutoff: SimilarityCutoff
    ) -> Int? {
        let expiring = earliestNewest < start
        let liveFrom = expiring ? start : EventTime(milliseconds: ClusterHeader.dead.milliseconds + 1)
        var earliestLive = EventTime(milliseconds: .max)
        var newlyDead = 0
        var exactMatch: Int?
        var nearMatch: Int?
        var bestSimilarity = configuration.similarity
        headers.withUnsafeMutableBufferPointer { headers in
            sketches.withUnsafeBufferPointer { sketches in
                prompt.shingles.withUnsafeBufferPointer { shingles in
                    for index in headers.indices {
                        let newest = headers[index].newest
                        if newest < liveFrom {
                            if newest != ClusterHeader.dead {
                                headers[index].newest = ClusterHeader.dead
                                newlyDead += 1
                            }
                            continue
                        }
                        earliestLive = min(earliestLive, newest)
                        if exactMatch != nil { continue }
                        if headers[index].exact == prompt.exact {
                            exactMatch = index
                            if expiring { continue } else { return }
                        }
                        guard !shingles.isEmpty else { continue }
                        let size = Int(headers[index].sketchEnd - headers[index].sketchStart)
                        if size > 0
                            && headers[index].signature.rulesOut(
                                size: size, against: signature, otherSize: shingles.count, cutoff: cutoff)
                        {
                            continue
                        }
                        let sketch = UnsafeBufferPointer(
                            rebasing: sketches[Int(headers[index].sketchStart)..<Int(headers[index].sketchEnd)])
                        guard
                            let similarity = PromptFingerprint.similarity(
                                of: sketch, and: shingles, atLeast: bestSimilarity, cutoff: cutoff)
                        else { continue }
                        bestSimilarity = similarity
                        nearMatch = index
                    }
                }
            }
        }
        deadCount += newlyDead
        if expiring { earliestNewest = earliestLive }
        return exactMatch ?? nearMatch
    }

    /// A prompt like no live cluster: a new cluster, making room at the cap by forgetting the stalest one.
    private mutating func addCluster(
        _ prompt: PromptFingerprint, signature: SketchSignature, of event: TokenEvent,
        _ configuration: RepetitivePromptsConfiguration
    ) -> Finding? {
        if headers.count >= configuration.maxClustersPerUser && deadCount > 0 { removeDeadClusters() }
        if headers.count >= configuration.maxClustersPerUser {
            removeCluster(at: headers.indices.min { headers[$0].newest < headers[$1].newest }!)
        }
        headers.append(
            ClusterHeader(
                exact: prompt.exact, newest: event.time,
                signature: signature, sketchStart: Int32(sketches.count),
                sketchEnd: Int32(sketches.count + prompt.shingles.count)))
        sketches.append(contentsOf: prompt.shingles)
        histories.append(.once(evidence: event.id))
        earliestNewest = min(earliestNewest, event.time)
        guard configuration.minRepeats <= 1 else { return nil }
        let index = headers.count - 1
        return finding(repeatedHistory(at: index, configuration), at: index, for: event, configuration)
    }

    /// A repeat of the cluster at `index`: counted in its window, with its evidence and variants.
    private mutating func recordRepeat(
        of prompt: PromptFingerprint, at index: Int, _ event: TokenEvent, windowStart start: EventTime,
        _ configuration: RepetitivePromptsConfiguration
    ) -> Finding? {
        // Taken out of the array while it changes: a copy would share the window's storage, and the first
        // change would copy it.
        var repeated = takeRepeatedHistory(at: index, configuration)
        repeated.occurrences.expire(before: start)
        repeated.occurrences.record(event.time)
        repeated.evidence.record(event.id)
        if repeated.variants.count < RepeatedCluster.maxTrackedVariants {
            repeated.variants.insert(prompt.exact)
        }
        histories[index] = .repeated(repeated)
        headers[index].newest = max(headers[index].newest, event.time)
        guard repeated.occurrences.count >= configuration.minRepeats else { return nil }
        return finding(repeated, at: index, for: event, configuration)
    }

    private func finding(
        _ history: RepeatedCluster, at index: Int, for event: TokenEvent,
        _ configuration: RepetitivePromptsConfiguration
    ) -> Finding {
        let repeats = history.occurrences.count
        let variants = history.variants.count
        let evidence = history.evidence
        let windowMinutes = configuration.window.milliseconds / 60_000
        return Finding(
            detector: .repetitivePrompts,
            key: "\(event.user)|\(String(headers[index].exact, radix: 16))",
            subject: AlertSubject(user: event.user),
            time: event.time,
            windowStart: history.occurrences.oldest ?? event.time,
            excess: Double(repeats) / Double(configuration.minRepeats),
            details: {
                FindingDetails(
                    observed: [
                        ("repeats", .integer(Int64(repeats))),
                        ("variants", .integer(Int64(variants))),
                        ("window_seconds", .integer(configuration.window.milliseconds / 1000)),
                    ],
                    threshold: configuration.thresholds(\.minRepeats, \.similarity),
                    summary: "\(repeats) prompts that are the same or nearly the same (\(variants) "
                        + "variant\(variants == 1 ? "" : "s")) within \(windowMinutes) min",
                    evidence: evidence.ids)
            })
    }

    /// Moves the full history of cluster `index` out (leaving a placeholder to be overwritten).
    private mutating func takeRepeatedHistory(at index: Int, _ configuration: RepetitivePromptsConfiguration)
        -> RepeatedCluster
    {
        // Swapped out, not read and then overwritten: reading would retain the history's three arrays, and
        // overwriting release them again.
        var history = ClusterHistory.once(evidence: nil)
        swap(&history, &histories[index])
        switch consume history {
        case .repeated(let repeated): return repeated
        case .once(let evidence): return firstRepeat(of: index, evidence: evidence, configuration)
        }
    }

    /// The full history of cluster `index`, made from what a cluster seen once keeps.
    private func repeatedHistory(at index: Int, _ configuration: RepetitivePromptsConfiguration) -> RepeatedCluster {
        switch histories[index] {
        case .repeated(let repeated): repeated
        case .once(let evidence): firstRepeat(of: index, evidence: evidence, configuration)
        }
    }

    /// The full history of cluster `index` seen once so far, with `evidence` the id of that occurrence.
    private func firstRepeat(of index: Int, evidence: String?, _ configuration: RepetitivePromptsConfiguration)
        -> RepeatedCluster
    {
        var repeated = RepeatedCluster(capacity: max(4 * configuration.minRepeats, 64))
        repeated.occurrences.record(headers[index].newest)
        repeated.evidence.record(evidence)
        repeated.variants.insert(headers[index].exact)
        return repeated
    }

    /// Removes one cluster (a user at the cap forgets one on every new prompt): each array closes its gap in
    /// one move, and the sketches after it are renumbered. `earliestNewest` stays a lower bound.
    private mutating func removeCluster(at index: Int) {
        let sketchStart = headers[index].sketchStart
        let count = headers[index].sketchEnd - sketchStart
        sketches.removeSubrange(Int(sketchStart)..<Int(sketchStart + count))
        headers.remove(at: index)
        histories.remove(at: index)
        guard count > 0 else { return }
        headers.withUnsafeMutableBufferPointer { headers in
            for later in index..<headers.count {
                headers[later].sketchStart -= count
                headers[later].sketchEnd -= count
            }
        }
    }

    /// Removes the clusters marked dead, keeping the others in order, in one pass that also closes the gaps in
    /// `sketches`, and makes `earliestNewest` exact.
    private mutating func removeDeadClusters() {
        deadCount = 0
        var kept = 0
        var sketchEnd = 0
        var earliest = EventTime(milliseconds: .max)
        sketches.withUnsafeMutableBufferPointer { sketches in
            for index in headers.indices where headers[index].newest != ClusterHeader.dead {
                var header = headers[index]
                let count = Int(header.sketchEnd - header.sketchStart)
                if Int(header.sketchStart) != sketchEnd {
                    // Moving down over removed sketches: the ranges may overlap, and `update(from:)` copies forward.
                    (sketches.baseAddress! + sketchEnd).update(
                        from: sketches.baseAddress! + Int(header.sketchStart), count: count)
                }
                header.sketchStart = Int32(sketchEnd)
                header.sketchEnd = Int32(sketchEnd + count)
                earliest = min(earliest, header.newest)
                headers[kept] = header
                // Swapped, not copied: no reference counting for the history's arrays.
                if kept != index { histories.swapAt(kept, index) }
                kept += 1
                sketchEnd += count
            }
        }
        headers.removeLast(headers.count - kept)
        histories.removeLast(histories.count - kept)
        sketches.removeLast(sketches.count - sketchEnd)
        earliestNewest = earliest
    }
}

/// What the search for a matching cluster reads: 32 bytes, so a user's 64 clusters fit in 32 cache lines.
private struct ClusterHeader: Sendable {
    /// The hash of the normalised text that founded the cluster (its representative).
    var exact: UInt64
    /// The latest occurrence.
    var newest: EventTime
    /// Rules most non-matching prompts out without reading the sketch.
    var signature: SketchSignature

    /// The `newest` of a cluster found expired, until it is removed.
    static let dead = EventTime(milliseconds: .min)
    /// Where the representative's sketch lies in ``UserPrompts``'s `sketches`.
    var sketchStart: Int32
    var sketchEnd: Int32
}

private enum ClusterHistory: Sendable {
    /// Seen once, at the cluster's `newest`: all a singleton needs, with no allocation.
    case once(evidence: String?)
    case repeated(RepeatedCluster)
}

private struct RepeatedCluster: Sendable {
    var occurrences: TimestampWindow
    var evidence = EvidenceRing()
    /// Distinct normalised texts seen in the cluster (capped), to tell exact from varied repeats.
    var variants: Set<UInt64> = []

    static let maxTrackedVariants = 32

    init(capacity: Int) {
        occurrences = TimestampWindow(capacity: capacity)
    }
}

// MARK: - Checkpoints

/// Checkpoints keep the format of one record per cluster (checkpoint format 2), whatever the layout in memory.
extension UserPrompts: Codable {
    private struct ClusterRecord: Codable {
        var representative: PromptFingerprint
        var occurrences: TimestampWindow
        var newest: EventTime
        var evidence = EvidenceRing()
        var variants: Set<UInt64> = []
    }

    private enum CodingKeys: String, CodingKey { case clusters }

    init(from decoder: any Decoder) throws {
        let records = try decoder.container(keyedBy: CodingKeys.self).decode([ClusterRecord].self, forKey: .clusters)
        for record in records {
            headers.append(
                ClusterHeader(
                    exact: record.representative.exact, newest: record.newest,
                    signature: record.representative.shingles.withUnsafeBufferPointer { SketchSignature($0) },
                    sketchStart: Int32(sketches.count),
                    sketchEnd: Int32(sketches.count + record.representative.shingles.count)))
            sketches.append(contentsOf: record.representative.shingles)
            var repeated = RepeatedCluster(capacity: record.occurrences.capacity)
            repeated.occurrences = record.occurrences
            repeated.evidence = record.evidence
            repeated.variants = record.variants
            histories.append(.repeated(repeated))
            earliestNewest = min(earliestNewest, record.newest)
        }
    }

    func encode(to encoder: any Encoder) throws {
        let records = headers.indices.filter { headers[$0].newest != ClusterHeader.dead }.map { index in
            // A cluster seen once is written in full; the capacity of its window only matters from its next
            // occurrence, and a restored cluster keeps the one it is written with.
            let history = repeatedHistory(at: index, RepetitivePromptsConfiguration())
            return ClusterRecord(
                representative: PromptFingerprint(
                    exact: headers[index].exact,
                    shingles: Array(sketches[Int(headers[index].sketchStart)..<Int(headers[index].sketchEnd)])),
                occurrences: history.occurrences, newest: headers[index].newest, evidence: history.evidence,
                variants: history.variants)
        }
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(records, forKey: .clusters)
    }
}

extension RepetitivePromptsDetector: SubjectTableDetector {
    static let name = DetectorName.repetitivePrompts
    /// The key its state has always had in checkpoints.
    static let checkpointKey = "repetitivePrompts"
}

extension DetectorSettings {
    public var repetitivePrompts: RepetitivePromptsConfiguration {
        get { self[RepetitivePromptsDetector.self] }
        set { self[RepetitivePromptsDetector.self] = newValue }
    }
}

extension DetectorName {
    public static let repetitivePrompts = DetectorName(declaring: "repetitive_prompts")
}
