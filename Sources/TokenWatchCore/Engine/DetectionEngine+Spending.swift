/// Spending by team and progress judgement, counted after the shards have judged each call.
extension DetectionEngine {
    /// Counts one admitted call for its team. Called in event order on the engine's thread, never by a shard:
    /// which team is named and which call counts as `small teams` depends on the order of calls only.
    /// The people are counted by the hash of their real id, never by pseudonym or name.
    mutating func count(_ event: borrowing TokenEvent, user: UInt64, judgement: ProgressJudgement) {
        spending.record(
            team: event.team, user: user, day: event.time.day, tokens: event.totalTokens, judgement: judgement,
            settings: configuration.report)
    }

    /// The same for a batch's event, lent where it lies (`inout`, so that it is not copied with its strings).
    mutating func count(_ decoded: inout DecodedEvent, judgement: ProgressJudgement) {
        count(decoded.event, user: decoded.keys.user, judgement: judgement)
    }
}
