/// A dropped event: the reason and, when one field is to blame, its name. Never holds payload text.
public struct EventRejection: Error, Sendable, Equatable, CustomStringConvertible {
    public var reason: RejectionReason
    public var field: String?

    public init(_ reason: RejectionReason, field: String? = nil) {
        self.reason = reason
        self.field = field
    }

    public var description: String {
        field.map { "\(reason.rawValue) (field \($0))" } ?? reason.rawValue
    }
}
