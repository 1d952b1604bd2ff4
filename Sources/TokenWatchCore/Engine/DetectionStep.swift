/// One admitted event of a batch, as the engine schedules it: where it lies in the batch, the shard of its
/// user, and the watermark when it arrived (decided in arrival order, before any shard runs); then, once its
/// shard has run it, the call's progress judgement.
struct DetectionStep: Sendable {
    var position: Int
    var shard: Int
    var now: EventTime
    var judgement = ProgressJudgement.unknown

    /// The hour of event time (hours since 1970) that `time` falls in; the population's prior changes only
    /// between hours.
    static func hour(of time: EventTime) -> Int64 {
        let (quotient, remainder) = time.milliseconds.quotientAndRemainder(dividingBy: 3_600_000)
        return remainder < 0 ? quotient - 1 : quotient
    }
}
