/// Why a text is not an alert payload: what is wrong and where, in one line a person can act on.
public struct AlertPayloadError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: Sendable, Equatable {
        /// The text is not JSON; ``offset`` is the byte where reading stopped.
        case notJSON
        /// The text is JSON, but not an object.
        case notAnObject
        /// A key every alert has is not there.
        case missingKey
        /// A key holds another kind of value than the contract gives it.
        case wrongKind
    }

    public var code: Code
    /// The key concerned, as a path (`observed.repeats`); `nil` when the whole text is.
    public var key: String?
    /// The byte offset in the text, for ``Code/notJSON``.
    public var offset: Int?
    /// What was expected, and for ``Code/wrongKind`` what was found.
    public var detail: String

    public init(code: Code, key: String? = nil, offset: Int? = nil, detail: String) {
        self.code = code
        self.key = key
        self.offset = offset
        self.detail = detail
    }

    public var description: String {
        switch code {
        case .notJSON: "alert payload is not JSON: at byte \(offset ?? 0), expected \(detail)"
        case .notAnObject: "alert payload is not a JSON object but \(detail)"
        case .missingKey: "alert payload has no `\(key ?? "")`: \(detail)"
        case .wrongKind: "alert payload's `\(key ?? "")` must be \(detail)"
        }
    }
}
