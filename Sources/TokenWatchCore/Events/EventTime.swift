import CEventJSON

/// A point in event time: Unix epoch milliseconds, as carried by the events themselves.
///
/// Detection never reads the wall clock; every window, cooldown and timestamp in an alert is an `EventTime`,
/// so replaying a file gives the same alerts as receiving it live.
public struct EventTime: Hashable, Comparable, Sendable, CustomStringConvertible, Codable {
    public var milliseconds: Int64

    public init(from decoder: any Decoder) throws {
        milliseconds = try decoder.singleValueContainer().decode(Int64.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(milliseconds)
    }

    public init(milliseconds: Int64) { self.milliseconds = milliseconds }

    /// Parses RFC 3339 (`2026-11-20T09:30:00Z`, fractions and offsets allowed), as the event contract does.
    public init?(rfc3339 text: String) {
        var milliseconds: Int64 = 0
        var text = text
        let parsed = text.withUTF8 { bytes in
            bytes.withMemoryRebound(to: CChar.self) { tw_parse_rfc3339($0.baseAddress, $0.count, &milliseconds) }
        }
        guard parsed == 1 else { return nil }
        self.milliseconds = milliseconds
    }

    public static func < (lhs: EventTime, rhs: EventTime) -> Bool { lhs.milliseconds < rhs.milliseconds }

    public static func + (lhs: EventTime, rhs: Duration) -> EventTime {
        EventTime(milliseconds: lhs.milliseconds + rhs.milliseconds)
    }

    public static func - (lhs: EventTime, rhs: Duration) -> EventTime {
        EventTime(milliseconds: lhs.milliseconds - rhs.milliseconds)
    }

    /// The span from `rhs` to `lhs`.
    public static func - (lhs: EventTime, rhs: EventTime) -> Duration {
        .milliseconds(lhs.milliseconds - rhs.milliseconds)
    }

    /// RFC 3339 in UTC with millisecond precision, for example `2026-11-20T09:30:00.250Z`.
    public var rfc3339: String {
        let millis = Int((milliseconds % 1000 + 1000) % 1000)
        let totalSeconds = (milliseconds - Int64(millis)) / 1000
        let days = totalSeconds >= 0 ? totalSeconds / 86400 : (totalSeconds - 86399) / 86400
        let secondOfDay = Int(totalSeconds - days * 86400)
        let (year, month, day) = CivilDate.fromDays(days)
        func pad(_ value: Int, _ width: Int) -> String {
            let text = String(value)
            return text.count >= width ? text : String(repeating: "0", count: width - text.count) + text
        }
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))T\(pad(secondOfDay / 3600, 2)):"
            + "\(pad(secondOfDay / 60 % 60, 2)):\(pad(secondOfDay % 60, 2)).\(pad(millis, 3))Z"
    }

    public var description: String { rfc3339 }
}

extension Duration {
    /// Whole milliseconds, rounded toward zero.
    ///
    /// Several times per event, so it divides the 128-bit attosecond count by a constant (which the compiler
    /// turns into multiplications) rather than going through `components`, several times slower.
    public var milliseconds: Int64 {
        Int64(truncatingIfNeeded: attoseconds / 1_000_000_000_000_000)
    }
}
