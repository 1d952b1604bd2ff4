/// A JSON document as ``JSONReader`` reads it: objects keep their members in the order written, and numbers
/// their literal text, so that an alert's figures come back as the integer or the number they were written as.
package enum JSONValue: Sendable, Equatable {
    case object([Member])
    case array([JSONValue])
    case string(String)
    /// The literal as written (`20`, `0.1`, `1e-05`).
    case number(String)
    case bool(Bool)
    case null

    /// One `"key": value` of an object.
    package struct Member: Sendable, Equatable {
        package var key: String
        package var value: JSONValue
    }

    /// The value of `key` in an object (the last one, when a key is repeated); `nil` for a missing key or
    /// when this is not an object.
    package subscript(key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        return members.last { $0.key == key }?.value
    }

    /// What a person calls this kind of value in an error message.
    package var kind: String {
        switch self {
        case .object: "an object"
        case .array: "a list"
        case .string: "text"
        case .number: "a number"
        case .bool: "true or false"
        case .null: "null"
        }
    }
}
