import Foundation

/// The prompt of a call from `gen_ai.input.messages`: the text of the last message a person (or a calling
/// agent) sent, which is what repeats when a prompt is resent. Earlier messages are the conversation's
/// history, and the system prompt is the same on every call; neither says whether this call asks anything new.
enum PromptText {
    static func of(text: String) -> String? { last(of: text, roles: promptRoles) }

    static func of(_ value: OTLPAnyValue) -> String? { last(of: value, roles: promptRoles) }

    /// The answer of a call from `gen_ai.output.messages`: the text of the last assistant message. Its hash
    /// lets the daemon see an output fed back unchanged as the next prompt.
    static func output(text: String) -> String? { last(of: text, roles: outputRoles) }

    static func output(_ value: OTLPAnyValue) -> String? { last(of: value, roles: outputRoles) }

    private static let promptRoles: Set<String> = ["user", "human"]
    private static let outputRoles: Set<String> = ["assistant", "model", "ai"]

    private static func last(of text: String, roles: Set<String>) -> String? {
        guard text.first == "[", let data = text.data(using: .utf8),
            let messages = try? JSONSerialization.jsonObject(with: data) as? [Any]
        else { return text.isEmpty ? nil : text }
        return lastText(messages, roles: roles) ?? text
    }

    private static func last(of value: OTLPAnyValue, roles: Set<String>) -> String? {
        switch value.value {
        case .stringValue(let text): return last(of: text, roles: roles)
        case .arrayValue(let array): return lastText(array.values.map(plain), roles: roles)
        default: return nil
        }
    }

    /// Messages as in the semantic conventions (`{"role", "parts": [{"type": "text", "content"}]}`) or the
    /// older chat shape (`{"role", "content": "…"}`).
    private static func lastText(_ messages: [Any], roles: Set<String>) -> String? {
        for case let message as [String: Any] in messages.reversed() {
            let role = message["role"] as? String
            guard role.map(roles.contains) ?? true else { continue }
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
