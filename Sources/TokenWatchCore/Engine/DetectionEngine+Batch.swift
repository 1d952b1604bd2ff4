/// Detecting a batch of events on several threads, with the same alerts as one event at a time.
///
/// Three phases. Admission, in arrival order: each event is refused or given its step (the watermark it
/// arrives at, its shard). Then the steps run in segments, one per hour of event time: each worker runs the
/// steps of its shards (shard mod workers), in order, into its own output. After each segment the outputs are
/// merged in arrival order: resolutions, findings turned into alerts, baselines for the population. The prior
/// is worked out again only between segments, so what a shard reads never depends on another shard's progress.
extension DetectionEngine {
    /// Admits and detects `events` in order, the shards spread over `executor`'s workers; appends the alerts
    /// they cause, numbered, in the order one-at-a-time processing gives. `rejected` is told, in order, the
    /// position and reason of each refused event. The events are read where they lie.
    public mutating func detect(
        _ events: UnsafeMutableBufferPointer<DecodedEvent>, latestAccepted: EventTime? = nil,
        on executor: any ShardExecutor,
        rejected: (Int, EventRejection) -> Void, into alerts: inout [Alert]
    ) {
        steps.removeAll(keepingCapacity: true)
        for position in events.indices {
            // Lent in place (`inout`, so that the compiler need not copy it for fear of aliasing): a copy
            // would retain each of the event's strings, on objects the decoding thread made.
            if let rejection = rejection(for: &events[position], latestAccepted: latestAccepted) {
                rejected(position, rejection)
                continue
            }
            steps.append(
                DetectionStep(
                    position: position, shard: events[position].shard, now: enter(events[position].event.time))
            )
        }
        let workers = min(executor.workers, VirtualShard.count)
        var start = 0
        while start < steps.count {
            let hour = DetectionStep.hour(of: steps[start].now)
            var end = start + 1
            while end < steps.count && DetectionStep.hour(of: steps[end].now) == hour { end += 1 }
            beginHour(of: steps[start].now)
            runShards(start..<end, of: events, workers: workers, on: executor)
            let first = alerts.count
            for index in start..<end { conclude(steps[index], index: index, workers: workers, into: &alerts) }
            numberAlerts(&alerts, from: first)
            for index in start..<end { count(&events[steps[index].position], judgement: steps[index].judgement) }
            start = end
        }
    }

    /// Runs the steps in `range` on their shards, each worker the shards that are its own.
    private mutating func runShards(
        _ range: Range<Int>, of events: UnsafeMutableBufferPointer<DecodedEvent>, workers: Int,
        on executor: any ShardExecutor
    ) {
        prepareOutputs(workers: workers)
        let rules = rules
        steps.withUnsafeMutableBufferPointer { steps in
            shards.withUnsafeMutableBufferPointer { shards in
                outputs.withUnsafeMutableBufferPointer { outputs in
                    let segment = ShardSegment(
                        steps: steps, range: range, events: events, shards: shards, outputs: outputs, rules: rules,
                        workers: workers)
                    executor.run(steps: range.count) { worker in segment.run(worker: worker) }
                }
            }
        }
    }
}

/// One segment's work as each worker sees it: the steps, the events, and the shards and output that are its
/// own. Workers touch disjoint shards (`shard % workers == worker`) and their own output only.
private struct ShardSegment: @unchecked Sendable {
    /// Each worker writes the judgement of its own steps only.
    let steps: UnsafeMutableBufferPointer<DetectionStep>
    let range: Range<Int>
    let events: UnsafeMutableBufferPointer<DecodedEvent>
    let shards: UnsafeMutableBufferPointer<DetectionShard>
    let outputs: UnsafeMutableBufferPointer<ShardOutput>
    let rules: DetectionRules
    let workers: Int

    func run(worker: Int) {
        for index in range where steps[index].shard % workers == worker {
            let step = steps[index]
            steps[index].judgement = Self.detect(
                &events[step.position], in: &shards[step.shard], step: index, now: step.now, rules: rules,
                into: &outputs[worker])
        }
    }

    /// Both `inout`, so that the event is lent where it lies: with the shard changing during the call, a
    /// borrowed event the compiler cannot prove apart from it would be copied, retaining each of its strings.
    private static func detect(
        _ decoded: inout DecodedEvent, in shard: inout DetectionShard, step: Int, now: EventTime,
        rules: DetectionRules, into output: inout ShardOutput
    ) -> ProgressJudgement {
        shard.detect(decoded.event, keys: decoded.keys, step: step, now: now, rules: rules, into: &output)
    }
}
