import Foundation

/// Which `tz` values name a time zone: what the decoder checks before an event is accepted, and the
/// configuration's `timezone` too.
///
/// A name must look like an IANA zone (letters, digits, `_`, `+`, `-`, segments joined by `/`, none starting
/// with a dot) before the time zone database is asked, so that `../../etc/passwd` reaches no file. The decoder
/// asks once per name it interns (``IdentifierInterner``), not once per event: publishers send the same few
/// zones again and again.
enum TimeZoneNames {
    /// Whether `name` is a time zone, asking the database only for names that look like one: the check the
    /// configuration's `timezone` and every event's `tz` share.
    static func names(_ name: String) -> Bool {
        looksLikeZone(name) && TimeZone(identifier: name) != nil
    }

    private static func looksLikeZone(_ name: String) -> Bool {
        guard !name.isEmpty, name.utf8.count <= 64 else { return false }
        return name.split(separator: "/", omittingEmptySubsequences: false).allSatisfy { segment in
            guard let first = segment.utf8.first, first != UInt8(ascii: ".") else { return false }
            return segment.utf8.allSatisfy { byte in
                switch byte {
                case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                    UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"), UInt8(ascii: "+"), UInt8(ascii: "-"):
                    true
                default: false
                }
            }
        }
    }
}
