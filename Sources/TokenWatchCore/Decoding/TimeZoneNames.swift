import Foundation

/// Which `tz` values name a time zone: what the decoder checks before an event is accepted.
///
/// A name must look like an IANA zone (letters, digits, `_`, `+`, `-`, segments joined by `/`, none starting
/// with a dot) before the time zone database is asked, so that `../../etc/passwd` reaches no file. Answers
/// are remembered, for a bounded number of names, because publishers send the same few zones again and
/// again; the decoder that owns this stays on one thread, so the memory needs no lock.
struct TimeZoneNames {
    private var answers: [String: Bool] = [:]
    private static let maxRemembered = 4096

    /// The last few answers, by a slot from the name's length and last byte: most events name one of a
    /// handful of zones, and comparing a short string costs less than hashing it for `answers`.
    private var recent = [(name: String, known: Bool)](repeating: ("", false), count: 16)

    mutating func isKnown(_ name: String) -> Bool {
        let slot = (name.utf8.count &* 31 &+ Int(name.utf8.last ?? 0)) & 15
        if recent[slot].name == name && !name.isEmpty { return recent[slot].known }
        let known = lookUp(name)
        recent[slot] = (name, known)
        return known
    }

    /// Whether `name` is a time zone, asking the database only for names that look like one: the check the
    /// configuration's `timezone` and every event's `tz` share.
    static func names(_ name: String) -> Bool {
        looksLikeZone(name) && TimeZone(identifier: name) != nil
    }

    private mutating func lookUp(_ name: String) -> Bool {
        if let known = answers[name] { return known }
        let known = Self.names(name)
        if answers.count < Self.maxRemembered { answers[name] = known }
        return known
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
