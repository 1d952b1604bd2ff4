import TokenWatchCore

/// What span and log-record translation share: a model call from a record's fields, refused by reason in a
/// fixed order (token counts, user, time, then the other fields' types and lengths). The daemon's own limits
/// are applied here, so that what it would refuse is refused while the sender can still be told.
enum ModelCallFields {
    /// `extraInput`: counts added to the input (Claude Code's cached context). `latestAccepted`: the latest
    /// start accepted, in nanoseconds (the clock at receipt plus `events.max_future`). `relatives` gives the agent
    /// and the agent above it from the record's own agent (a span's ancestors fill in what it lacks).
    static func call(
        _ fields: FieldValues, id: String, nanoseconds: UInt64, extraInput: [AttributeIndex.Field] = [],
        limits: EventDecoder.Limits, latestAccepted: UInt64? = nil,
        relatives: (_ ownAgent: String?) -> (agent: String?, parent: String?) = { ($0, nil) }
    ) -> Result<ModelCall, OTLPRecordRejection> {
        do {
            let (inputTokens, outputTokens) = try counts(fields, extraInput: extraInput, limits: limits)
            guard let user = try fields.person() else { return .failure(.noUser) }
            let milliseconds = try time(nanoseconds, latestAccepted: latestAccepted)
            let (agent, parent) = relatives(try fields.text(.agent))
            var call = ModelCall(
                id: id, milliseconds: milliseconds, user: user, team: try fields.text(.team),
                agent: agent, parent: parent, session: try fields.text(.session), model: try fields.text(.model),
                inputTokens: inputTokens, outputTokens: outputTokens, prompt: nil)
            call.prompt = fields.prompt?.prompt
            call.output = fields.output?.output
            guard call.identifiers.allSatisfy({ $0.utf8.count <= limits.maxIdentifierBytes }) else {
                return .failure(.fieldTooLong)
            }
            return .success(call)
        } catch {
            return .failure(error)
        }
    }

    /// The input and output counts. A missing one is 0 (an embedding has no output); both missing is not a
    /// call. Sums are checked: a count near 2^63 is a refusal, not a trap that ends the bridge.
    private static func counts(
        _ fields: FieldValues, extraInput: [AttributeIndex.Field], limits: EventDecoder.Limits
    ) throws(OTLPRecordRejection) -> (input: Int64, output: Int64) {
        let input = try fields.count(.inputTokens)
        let output = try fields.count(.outputTokens)
        guard input != nil || output != nil else { throw .noTokenCounts }
        var inputTokens = input ?? 0
        for field in extraInput {
            let (sum, overflow) = inputTokens.addingReportingOverflow(try fields.count(field) ?? 0)
            guard !overflow else { throw .outOfRange }
            inputTokens = sum
        }
        guard inputTokens <= limits.maxTokensPerEvent, output ?? 0 <= limits.maxTokensPerEvent else {
            throw .outOfRange
        }
        return (inputTokens, output ?? 0)
    }

    /// The event time in milliseconds, within the daemon's plausible years and not too far ahead.
    private static func time(_ nanoseconds: UInt64, latestAccepted: UInt64?) throws(OTLPRecordRejection) -> Int64 {
        guard nanoseconds > 0 else { throw .noTime }
        let milliseconds = Int64(nanoseconds / 1_000_000)
        guard EventDecoder.plausibleTimes.contains(EventTime(milliseconds: milliseconds)) else { throw .outOfRange }
        if let latestAccepted, nanoseconds > latestAccepted { throw .tooFarAhead }
        return milliseconds
    }
}
