import Foundation

/// Reads the log records that describe a call whose span carries it: the GenAI semantic conventions' events,
/// emitted inside the model call's span (so with its `span_id`), one call's details or one message each.
enum CallPartReader {
    /// The events that are a share of a call, by `event_name` (or the older `event.name` attribute).
    static let events: Set<String> = [
        "gen_ai.client.inference.operation.details", "gen_ai.user.message", "gen_ai.system.message",
        "gen_ai.assistant.message", "gen_ai.tool.message", "gen_ai.choice", "gen_ai.content.prompt",
        "gen_ai.content.completion",
    ]

    /// The record's share of its span's call, or `nil` when it is not one of ``events`` with a span id.
    static func part(of record: OTLPLogRecord, resource: [OTLPKeyValue], index: AttributeIndex) -> CallPart? {
        guard !record.spanID.isEmpty, let key = SpanAncestry.key(record.spanID), let name = eventName(of: record),
            events.contains(name)
        else { return nil }
        var (fields, _) = index.read(own: record.attributes, resource: resource)
        // The 1.30 conventions put a message's text in the body: `{"content": …}`, or for a choice
        // `{"message": {"content": …}}`. A user message is the prompt (the last one, as parts merge in order);
        // system and assistant messages are the conversation's history, not what this call asks.
        switch name {
        case "gen_ai.user.message" where fields.prompt == nil:
            fields.prompt = content(of: record.body).map(AttributeValue.text)
        case "gen_ai.choice" where fields.output == nil:
            fields.output = content(of: record.body).map(AttributeValue.text)
        default:
            break
        }
        let nanoseconds = record.timeUnixNano > 0 ? record.timeUnixNano : record.observedTimeUnixNano
        return CallPart(key: key, id: record.spanID.hexString, fields: fields, nanoseconds: nanoseconds)
    }

    static func eventName(of record: OTLPLogRecord) -> String? {
        if !record.eventName.isEmpty { return record.eventName }
        guard let name = record.attributes.first(where: { $0.key == "event.name" }),
            case .stringValue(let text)? = name.value.value
        else { return nil }
        return text
    }

    /// A message's text from a log body: `content`, or `message.content`, in a map or in JSON text.
    static func content(of body: OTLPAnyValue) -> String? {
        switch body.value {
        case .kvlistValue(let list):
            let values = Dictionary(list.values.map { ($0.key, $0.value) }, uniquingKeysWith: { first, _ in first })
            if case .stringValue(let text)? = values["content"]?.value { return text }
            if let message = values["message"] { return content(of: message) }
            return nil
        case .stringValue(let text):
            guard text.first == "{", let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)),
                let map = object as? [String: Any]
            else { return text.isEmpty ? nil : text }
            return map["content"] as? String ?? (map["message"] as? [String: Any])?["content"] as? String
        default:
            return nil
        }
    }
}
