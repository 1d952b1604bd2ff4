import Foundation

/// The user in a W3C baggage header (`user.id=alice,tenant=acme;ttl=60`) that an SDK recorded as an attribute,
/// read with `bridge.user_from_baggage`.
enum W3CBaggage {
    /// The attributes read: the header as a propagator forwards it, and as HTTP instrumentations record a
    /// captured request header (a list of its values).
    static let attributes = ["baggage", "http.request.header.baggage"]

    static func user(_ value: AttributeValue) -> String? {
        switch value {
        case .text(let header): return entry("user.id", in: header)
        case .structured(let list):
            guard case .arrayValue(let values)? = list.value else { return nil }
            for case .stringValue(let header)? in values.values.map(\.value) {
                if let user = entry("user.id", in: header) { return user }
            }
            return nil
        default: return nil
        }
    }

    /// A list member's value, percent-decoded; its properties (after `;`) are left out.
    static func entry(_ key: String, in header: String) -> String? {
        for member in header.split(separator: ",") {
            let pair = (member.split(separator: ";", maxSplits: 1).first ?? "").split(separator: "=", maxSplits: 1)
            guard pair.count == 2, pair[0].trimmingCharacters(in: .whitespaces) == key else { continue }
            let value = pair[1].trimmingCharacters(in: .whitespaces)
            let decoded = value.removingPercentEncoding ?? value
            return decoded.isEmpty ? nil : decoded
        }
        return nil
    }
}
