import Foundation
import TokenWatchCore

/// Turns the log records of an OTLP logs export into token events: Claude Code's `claude_code.api_request`
/// events by their own schema, and any other record that carries the configured token-count attributes
/// (a gateway that logs each call) by the configured names.
package struct LogRecordTranslator: Sendable {
    package let settings: BridgeConfiguration
    package let limits: EventDecoder.Limits
    private let configured: AttributeIndex
    private let claudeCode: AttributeIndex

    package init(settings: BridgeConfiguration, limits: EventDecoder.Limits) {
        self.settings = settings
        self.limits = limits
        let lists = AttributeIndex.lists(settings)
        configured = AttributeIndex(lists)
        claudeCode = AttributeIndex(Self.claudeCodeLists(lists))
    }

    static let claudeCodeEvent = "claude_code.api_request"

    /// The configured names with Claude Code's own in front (its monitoring documentation), and its token
    /// counts by its names only: the account, not `user.id`, which there is an anonymous installation id; its
    /// `input_tokens` leaves out the cached part of the context, so the cache counts are added (the three
    /// together are what the model read, which is what padding and repeats are judged on).
    static func claudeCodeLists(_ configured: [AttributeIndex.Field: [String]]) -> [AttributeIndex.Field: [String]] {
        var lists = configured
        lists[.user] = ["user.account_uuid", "user.email"] + (configured[.user] ?? [])
        lists[.session] = ["session.id"] + (configured[.session] ?? [])
        lists[.model] = ["model"] + (configured[.model] ?? [])
        lists[.inputTokens] = ["input_tokens"]
        lists[.outputTokens] = ["output_tokens"]
        lists[.cacheRead] = ["cache_read_tokens"]
        lists[.cacheCreation] = ["cache_creation_tokens"]
        return lists
    }

    /// `latestAccepted`: as for spans (``SpanTranslator``), the latest time accepted in nanoseconds.
    package func translate(_ request: OTLPExportLogsServiceRequest, latestAccepted: UInt64? = nil) -> OTLPTranslation {
        var translation = OTLPTranslation()
        for resourceLogs in request.resourceLogs {
            let resource = resourceLogs.resource.attributes
            for record in resourceLogs.scopeLogs.lazy.flatMap(\.logRecords) {
                if let part = CallPartReader.part(of: record, resource: resource, index: configured) {
                    translation.parts.append(part)
                    continue
                }
                let isClaudeCode = Self.isClaudeCodeRequest(record)
                let (fields, _) = (isClaudeCode ? claudeCode : configured).read(
                    own: record.attributes, resource: resource)
                // Other log lines are not calls, unless they carry token counts (a gateway logging each call).
                guard isClaudeCode || fields.hasTokens else {
                    translation.ignored += 1
                    continue
                }
                let nanoseconds = record.timeUnixNano > 0 ? record.timeUnixNano : record.observedTimeUnixNano
                let result = ModelCallFields.call(
                    fields, id: Self.id(of: record), nanoseconds: nanoseconds,
                    extraInput: isClaudeCode ? [.cacheRead, .cacheCreation] : [], limits: limits,
                    latestAccepted: latestAccepted)
                switch result {
                case .success(let call): translation.append(call, limits: limits)
                case .failure(let reason): translation.reject(reason)
                }
            }
        }
        return translation
    }

    /// The parts whose span did not come in time (``CallJoiner``), as calls of their own when they make one.
    package func translate(expired: [CallJoiner.Waiting]) -> OTLPTranslation {
        var translation = OTLPTranslation()
        for waiting in expired {
            // Content alone is not a call: its span never came, and nothing is known of its tokens.
            guard waiting.fields.hasTokens else { continue }
            switch ModelCallFields.call(
                waiting.fields, id: waiting.id, nanoseconds: waiting.nanoseconds, limits: limits)
            {
            case .success(let call): translation.append(call, limits: limits)
            case .failure(let reason): translation.reject(reason)
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

    /// Log records have no id of their own: the hash of the record's bytes, so that an export the SDK
    /// retries after a lost response is the same event again (the daemon refuses it as `duplicate_id`).
    static func id(of record: OTLPLogRecord) -> String {
        let bytes = (try? record.serializedBytes() as [UInt8]) ?? []
        return "log-" + String(FNV1a.hash(bytes: bytes), radix: 16)
    }
}
