/// Per user: many prompts within the window that are the same or nearly the same text.
///
/// Each user's recent prompts are grouped into clusters of near-duplicates (see ``PromptFingerprint``);
/// a cluster that reaches `minRepeats` occurrences within the window is an incident. Re-running a prompt two
/// or three times stays far below that.
public struct RepetitivePromptsDetector: Sendable, Codable {
    public var configuration = RepetitivePromptsConfiguration()
    private var users = SubjectTable<String, UserPrompts>()

    private enum CodingKeys: String, CodingKey { case users }

    public init(configuration: RepetitivePromptsConfiguration) {
        self.configuration = configuration
    }

    /// Users with prompts inside the window.
    public var trackedSubjects: Int { users.count }

    /// Forgets the users seen least recently beyond `limit`; returns how many.
    mutating func evictIdlest(limit: Int) -> Int {
        users.removeLeastRecentlyActive(keeping: limit)
    }

    public mutating func ingest(_ event: TokenEvent, into findings: inout [Finding]) {
        ingest(event, with: configuration, into: &findings)
    }

    /// Runs one event under `configuration` (the subject's own, when an override applies).
    public mutating func ingest(_ event: TokenEvent, with configuration: RepetitivePromptsConfiguration, into findings: inout [Finding]) {
        guard configuration.enabled, let prompt = event.prompt, prompt.wordCount.map({ $0 >= configuration.minWords }) ?? true
        else { return }
        let finding = users.update(event.user, activeAt: event.time, orInsert: { UserPrompts() }) {
            $0.record(prompt, of: event, configuration)
        }
        if let finding { findings.append(finding) }
    }

    /// Forgets users with no prompt since `start` (the start of the longest window of any override).
    public mutating func expire(before start: EventTime) {
        users.removeInactive(before: start)
    }
}

private struct PromptCluster: Sendable, Codable {
    var representative: PromptFingerprint
    var occurrences: TimestampWindow
    /// The latest occurrence (`occurrences.newest`), kept inline: every event checks every cluster of its
    /// author for expiry, and reading it from the window's array would cost a cache miss per cluster.
    var newest: EventTime
    var evidence = EvidenceRing()
    /// Distinct normalised texts seen in the cluster (capped), to tell exact from varied repeats.
    var variants: Set<UInt64> = []

    static let maxTrackedVariants = 32
}

private struct UserPrompts: Sendable, Codable {
    var clusters: [PromptCluster] = []

    mutating func record(
        _ prompt: PromptFingerprint, of event: TokenEvent, _ configuration: RepetitivePromptsConfiguration
    ) -> Finding? {
        let start = event.time - configuration.window
        // Expired clusters go one by one from the end: `remove(at:)` moves the rest down in one memmove, where
        // `removeAll(where:)` swaps element by element through copies (four reference counts each).
        for index in clusters.indices.reversed() where clusters[index].newest < start {
            clusters.remove(at: index)
        }

        // Exact repeats first (one comparison each), then the near-duplicates: the costly part, cut short by
        // the cutoff (see ``SimilarityCutoff``). Read through a buffer pointer: indexing the array would copy
        // each cluster (four reference counts up and down) just to look at its fingerprint.
        var match: Int?
        clusters.withUnsafeBufferPointer { clusters in
            match = clusters.firstIndex { $0.representative.exact == prompt.exact }
            guard match == nil && !prompt.shingles.isEmpty else { return }
            var bestSimilarity = configuration.similarity
            let cutoff = SimilarityCutoff(configuration.similarity)
            for index in clusters.indices {
                guard let similarity = clusters[index].representative.similarity(to: prompt, atLeast: bestSimilarity, cutoff: cutoff)
                else { continue }
                bestSimilarity = similarity
                match = index
            }
        }
        let index: Int
        if let match {
            index = match
        } else {
            if clusters.count >= configuration.maxClustersPerUser {
                // Forget the cluster seen least recently.
                let stalest = clusters.indices.min { clusters[$0].newest < clusters[$1].newest }!
                clusters.remove(at: stalest)
            }
            clusters.append(
                PromptCluster(
                    representative: prompt,
                    occurrences: TimestampWindow(capacity: max(4 * configuration.minRepeats, 64)),
                    newest: event.time))
            index = clusters.count - 1
        }

        clusters[index].occurrences.expire(before: start)
        clusters[index].occurrences.record(event.time)
        clusters[index].newest = max(clusters[index].newest, event.time)
        clusters[index].evidence.record(event.id)
        if clusters[index].variants.count < PromptCluster.maxTrackedVariants {
            clusters[index].variants.insert(prompt.exact)
        }

        let repeats = clusters[index].occurrences.count
        guard repeats >= configuration.minRepeats else { return nil }
        let windowMinutes = configuration.window.milliseconds / 60_000
        return Finding(
            detector: .repetitivePrompts,
            key: "\(event.user)|\(String(clusters[index].representative.exact, radix: 16))",
            subject: AlertSubject(user: event.user),
            time: event.time,
            windowStart: clusters[index].occurrences.oldest ?? event.time,
            observed: [
                ("repeats", .integer(Int64(repeats))),
                ("variants", .integer(Int64(clusters[index].variants.count))),
                ("window_seconds", .integer(configuration.window.milliseconds / 1000)),
            ],
            threshold: [
                ("min_repeats", .integer(Int64(configuration.minRepeats))),
                ("similarity", .number(configuration.similarity)),
            ],
            excess: Double(repeats) / Double(configuration.minRepeats),
            summary: "\(repeats) prompts that are the same or nearly the same (\(clusters[index].variants.count) "
                + "variant\(clusters[index].variants.count == 1 ? "" : "s")) within \(windowMinutes) min",
            evidence: clusters[index].evidence.ids)
    }
}
