/// Spending by team and progress judgement, counted after the shards have judged each call.
extension DetectionEngine {
    /// Counts one admitted call for its team. Called in event order on the engine's thread, never by a shard:
    /// which team is named and which call counts as `small teams` depends on the order of calls only.
    /// The people are counted by the hash of their real id, never by pseudonym or name.
    mutating func count(_ event: borrowing TokenEvent, keys: EventKeys, judgement: ProgressJudgement) {
        var id = spending.team(withHash: keys.team)
        if id == nil { id = spending.admit(event.team ?? "", hash: keys.team, maxTeams: configuration.report.maxTeams) }
        spending.record(
            team: id, user: keys.user, day: event.time.day, tokens: event.totalTokens, judgement: judgement,
            settings: configuration.report)
    }

    /// The same for a batch's event, lent where it lies (`inout`, so that it is not copied with its strings).
    mutating func count(_ decoded: inout DecodedEvent, judgement: ProgressJudgement) {
        count(decoded.event, keys: decoded.keys, judgement: judgement)
    }
}
