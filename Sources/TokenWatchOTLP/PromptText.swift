import Foundation

/// The prompt of a call from `gen_ai.input.messages`: the text of the last message a person (or a calling
/// agent) sent, which is what repeats when a prompt is resent. Earlier messages are the conversation's
/// history, and the system prompt is the same on every call; neither says whether this call asks anything new.
enum PromptText {
    static func of(text: String) -> String? {
        guard text.first == "[", let data = text.data(using: .utf8),
            let messages = try? JSONSerialization.jsonObject(with: data) as? [Any]
        else { return text.isEmpty ? nil : text }
        return lastUserText(messages) ?? text
    }

    static func of(_ value: OTLPAnyValue) -> String? {
        switch value.value {
        case .stringValue(let text):
            return of(text: text)
        case .arrayValue(let array):
            return lastUserText(array.values.map(plain))
        default:
            return nil
        }
    }

    /// Messages as in the semantic conventions (`{"role", "parts": [{"type": "text", "content"}]}`) or the
    /// older chat shape (`{"role", "content": "…"}`).
    private static func lastUserText(_ messages: [Any]) -> String? {
        for case let message as [String: Any] in messages.reversed() {
            let role = message["role"] as? String
            guard role == nil || role == "user" || role == "human" else { continue }
            if let content = message["content"] as? String { return content }
            if let parts = message["parts"] as? [[String: Any]] {
                let texts = parts.compactMap { part -> String? in
                    guard (part["type"] as? String ?? "text") == "text" else { return nil }
                    return part["content"] as? String ?? part["text"] as? String
                }
                if !texts.isEmpty { return texts.joined(separator: "\n") }
            }
        }
        return nil
    }

    /// A structured attribute value as Foundation values, to read like parsed JSON.
    private static func plain(_ value: OTLPAnyValue) -> Any {
        switch value.value {
        case .stringValue(let text): return text
        case .boolValue(let flag): return flag
        case .intValue(let number): return number
        case .doubleValue(let number): return number
        case .arrayValue(let array): return array.values.map(plain)
        case .kvlistValue(let list):
            return Dictionary(list.values.map { ($0.key, plain($0.value)) }, uniquingKeysWith: { first, _ in first })
        case .bytesValue, nil: return NSNull()
        }
    }
}
