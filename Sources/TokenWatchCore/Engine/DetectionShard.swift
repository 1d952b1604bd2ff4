/// The detection state of one virtual shard of people (``VirtualShard``): every detector's windows and the
/// progress measure for the users of that shard and their agents, and nothing else.
///
/// Every detector keys its state by a user, or an agent of a user, so a shard holds everything its events
/// need; shards share nothing while they detect and can run on different threads. What spans people (the
/// population's prior, the alert lifecycle, admission) stays with the engine, which runs the shards.
struct DetectionShard: Sendable {
    var detectors: DetectorSuite
    var progress = ProgressTracker()
    /// Kept per shard: it caches pseudonyms, and a shard must not write anything another one reads.
    var pseudonymizer: Pseudonymizer?
    var subjectsEvicted: UInt64 = 0
    /// Scratch for one event's findings, kept to reuse its storage.
    private var findings: [Finding] = []

    init(rules: DetectionRules) {
        detectors = DetectorSuite(settings: rules.configuration.detectors)
        pseudonymizer = rules.pseudonymKey.map { Pseudonymizer(key: $0) }
    }

    /// Takes new settings keeping every window; pseudonyms are worked out afresh when the key changed.
    mutating func apply(_ rules: DetectionRules, keyChanged: Bool) {
        detectors.apply(rules.configuration.detectors)
        if keyChanged || (pseudonymizer == nil) != (rules.pseudonymKey == nil) {
            pseudonymizer = rules.pseudonymKey.map { Pseudonymizer(key: $0) }
        }
    }

    /// Runs one admitted event, which arrived when the watermark was `now`; appends what it raises (findings
    /// that no allowance covers, and baselines for the population) to `output`, marked with `step`; returns the
    /// call's progress judgement, which the engine counts per team.
    @discardableResult
    mutating func detect(
        _ event: TokenEvent, keys: EventKeys, step: Int, now: EventTime, rules: DetectionRules,
        into output: inout ShardOutput
    ) -> ProgressJudgement {
        // State that fell out of every window goes as time passes, a few subjects at a time (no sweeps).
        rules.horizons.withUnsafeBufferPointer { horizons in
            var expiry = Expiry(now: now, horizons: horizons)
            detectors.forEach(&expiry)
        }
        progress.expire(at: now)
        findings.removeAll(keepingCapacity: true)
        let overrideIndex = rules.overrideIndex(for: event)
        // Overrides and allowances are matched on the real id; everything after sees only the pseudonym. The
        // event is copied only then.
        let judgement: ProgressJudgement
        if pseudonymizer != nil {
            var renamed = event
            var renamedKeys = keys
            renamed.user = pseudonymizer!.pseudonym(for: event.user)
            renamedKeys.user = SubjectHash.hash(renamed.user)
            if renamed.parent == event.user {
                renamed.parent = renamed.user
                renamedKeys.parent = renamedKeys.user
            }
            judgement = ingest(renamed, keys: renamedKeys, now: now, overrideIndex: overrideIndex, rules: rules)
        } else {
            judgement = ingest(event, keys: keys, now: now, overrideIndex: overrideIndex, rules: rules)
        }
        if !findings.isEmpty {
            // Allowed work still shapes the windows and baselines; it just raises nothing.
            let allowed = rules.configuration.allowances.isEmpty ? [] : rules.allowed(event)
            for finding in findings where !allowed.contains(finding.detector) {
                output.findings.append(ShardOutput.Marked(step: step, value: finding))
            }
        }
        if !detectors.offHoursBurst.reports.isEmpty {
            for report in detectors.offHoursBurst.reports {
                output.baselines.append(ShardOutput.Marked(step: step, value: report))
            }
            detectors.offHoursBurst.reports.removeAll(keepingCapacity: true)
        }
        enforceSubjectLimit(rules.subjectLimit)
        return judgement
    }

    /// Runs the detectors, under the subject's override if one applies; returns the call's progress judgement.
    private mutating func ingest(
        _ event: TokenEvent, keys: EventKeys, now: EventTime, overrideIndex: Int?, rules: DetectionRules
    ) -> ProgressJudgement {
        var ingest = Ingest(override: overrideIndex.map { rules.configuration.overrides[$0].detectors }, keys: keys)
        ingest.now = now
        ingest.progress = progress.observe(event, keys: keys, arrivedAt: now)
        swap(&ingest.findings, &findings)
        detectors.forEach(&ingest, with: event)
        swap(&ingest.findings, &findings)
        return ingest.progress.judgement
    }

    private mutating func enforceSubjectLimit(_ limit: Int) {
        var eviction = Eviction(limit: limit)
        detectors.forEach(&eviction)
        subjectsEvicted += UInt64(eviction.evicted)
        if progress.trackedStreams > limit {
            subjectsEvicted += UInt64(progress.evictIdlest(limit: limit))
        }
    }
}

/// What the shards run by one worker raised during one run, each item marked with the step (the admitted
/// event's place in the batch) it came from, in step order; the engine merges the workers' outputs by step.
struct ShardOutput: Sendable {
    struct Marked<Value: Sendable>: Sendable {
        var step: Int
        var value: Value
    }
    var findings: [Marked<Finding>] = []
    var baselines: [Marked<BaselineReport>] = []

    mutating func removeAll() {
        findings.removeAll(keepingCapacity: true)
        baselines.removeAll(keepingCapacity: true)
    }
}
