import Foundation
import TokenWatchCore

/// Turns the log records of an OTLP logs export into token events: Claude Code's `claude_code.api_request`
/// events by their own schema, and any other record that carries the configured token-count attributes
/// (a gateway that logs each call) by the configured names.
package struct LogRecordTranslator: Sendable {
    package let settings: BridgeConfiguration
    package let limits: EventDecoder.Limits

    package init(settings: BridgeConfiguration, limits: EventDecoder.Limits) {
        self.settings = settings
        self.limits = limits
    }

    /// Claude Code's names (its monitoring documentation): the account, not `user.id`, which there is an
    /// anonymous installation id. Its `input_tokens` leaves out the cached part of the context; the three
    /// together are what the model read, which is what padding and repeats are judged on.
    static let claudeCodeEvent = "claude_code.api_request"
    static let claudeCodeUser = ["user.account_uuid", "user.email"]
    static let claudeCodeInput = ["input_tokens"]
    static let claudeCodeCached = [["cache_read_tokens"], ["cache_creation_tokens"]]

    package func translate(_ request: OTLPExportLogsServiceRequest) -> OTLPTranslation {
        var translation = OTLPTranslation()
        for resourceLogs in request.resourceLogs {
            let resource = resourceLogs.resource.attributes
            for record in resourceLogs.scopeLogs.lazy.flatMap(\.logRecords) {
                let attributes = OTLPAttributes(own: record.attributes, resource: resource)
                let result: Result<ModelCall, OTLPRecordRejection>?
                if Self.isClaudeCodeRequest(record) {
                    result = claudeCodeCall(record, attributes)
                } else if attributes.value(settings.attributes.inputTokens + settings.attributes.outputTokens)
                    != nil
                {
                    result = genericCall(record, attributes)
                } else {
                    result = nil
                }
                switch result {
                case .success(let call)?: translation.append(call, limits: limits)
                case .failure(let reason)?: translation.reject(reason)
                case nil: translation.ignored += 1
                }
            }
        }
        return translation
    }

    static func isClaudeCodeRequest(_ record: OTLPLogRecord) -> Bool {
        if record.eventName == claudeCodeEvent { return true }
        if case .stringValue(let body)? = record.body.value, body == claudeCodeEvent { return true }
        guard let name = record.attributes.first(where: { $0.key == "event.name" }),
            case .stringValue(let text)? = name.value.value
        else { return false }
        return text == "api_request" || text == claudeCodeEvent
    }

    private func claudeCodeCall(_ record: OTLPLogRecord, _ attributes: OTLPAttributes) -> Result<
        ModelCall, OTLPRecordRejection
    > {
        let names = settings.attributes
        do {
            let tokens = try ModelCallFields.tokens(attributes, input: Self.claudeCodeInput, output: ["output_tokens"])
            var input = tokens.input
            for cached in Self.claudeCodeCached { input += try attributes.count(cached).get() ?? 0 }
            return try base(
                record, attributes, user: Self.claudeCodeUser + names.user, session: ["session.id"] + names.session,
                model: ["model"] + names.model, tokens: (input, tokens.output))
        } catch {
            return .failure(error)
        }
    }

    private func genericCall(_ record: OTLPLogRecord, _ attributes: OTLPAttributes) -> Result<
        ModelCall, OTLPRecordRejection
    > {
        let names = settings.attributes
        do {
            let tokens = try ModelCallFields.tokens(attributes, input: names.inputTokens, output: names.outputTokens)
            return try base(
                record, attributes, user: names.user, session: names.session, model: names.model, tokens: tokens)
        } catch {
            return .failure(error)
        }
    }

    private func base(
        _ record: OTLPLogRecord, _ attributes: OTLPAttributes, user userNames: [String], session: [String],
        model: [String], tokens: (Int64, Int64)
    ) throws(OTLPRecordRejection) -> Result<ModelCall, OTLPRecordRejection> {
        let names = settings.attributes
        guard let user = try attributes.text(userNames).get() else { return .failure(.noUser) }
        let nanoseconds = record.timeUnixNano > 0 ? record.timeUnixNano : record.observedTimeUnixNano
        guard nanoseconds > 0 else { return .failure(.noTime) }
        var call = ModelCall(
            id: Self.id(of: record), milliseconds: Int64(nanoseconds / 1_000_000), user: user,
            team: try attributes.text(names.team).get(), agent: try attributes.text(names.agent).get(), parent: nil,
            session: try attributes.text(session).get(), model: try attributes.text(model).get(),
            inputTokens: tokens.0, outputTokens: tokens.1, prompt: nil)
        call.prompt = attributes.value(names.prompt).flatMap(PromptText.of)
        call.output = attributes.value(names.output).flatMap(PromptText.output)
        return ModelCallFields.checked(call, limits: limits)
    }

    /// Log records have no id of their own: the hash of the record's bytes, so that an export the SDK
    /// retries after a lost response is the same event again (the daemon refuses it as `duplicate_id`).
    static func id(of record: OTLPLogRecord) -> String {
        let bytes = (try? record.serializedBytes() as [UInt8]) ?? []
        var hash = FNV1a.offsetBasis
        for byte in bytes { hash = FNV1a.add(byte, to: hash) }
        return "log-" + String(hash, radix: 16)
    }
}
