import Foundation

/// Local weekday and time of day of an event time in an IANA time zone, cached per zone.
///
/// Looking up a zone's offset through Foundation costs microseconds; offsets change only at transitions,
/// so each zone's offset is cached with the span over which it holds.
struct LocalTimeResolver: Sendable {
    struct LocalTime: Equatable, Sendable {
        /// 0 = Monday … 6 = Sunday.
        var weekday: Int
        var minuteOfDay: Int
    }

    /// Where a zone's cached offset holds. Plain values, apart from the `TimeZone` objects, so that reading
    /// one on every event retains nothing.
    private struct Span: Sendable {
        var validFrom: Int64 = .max
        var validUntil: Int64 = .min
        var offsetSeconds: Int64 = 0
    }

    /// Each identifier seen, by its ``SubjectHash``: its position in `identifiers`, `spans` and `zones` (a
    /// `nil` zone is one Foundation does not know, so it is not looked up again). Hashed like the detectors'
    /// tables rather than by a `Dictionary`: this lookup runs on every event that gives a zone.
    private var index = IncrementalHashIndex()
    private var identifiers: [String] = []
    private var spans: [Span] = []
    private var zones: [TimeZone?] = []
    private static let maxCachedZones = 1024

    /// The local time of `time` in `identifier`, or `nil` if the zone is unknown.
    mutating func localTime(of time: EventTime, in identifier: String) -> LocalTime? {
        localTime(of: time, in: identifier, hash: SubjectHash.hash(identifier))
    }

    /// The same, for a zone whose ``SubjectHash`` is `hash` (worked out once per event: ``EventKeys``).
    mutating func localTime(of time: EventTime, in identifier: String, hash: UInt64) -> LocalTime? {
        assert(hash == SubjectHash.hash(identifier), "a zone's given hash must be its SubjectHash")
        guard let position = position(of: identifier, hash: String.subjectHash(hash)) else { return nil }
        let ms = time.milliseconds
        if ms < spans[position].validFrom || ms >= spans[position].validUntil {
            let zone = zones[position]!
            let date = Date(timeIntervalSince1970: Double(ms) / 1000)
            let next = zone.nextDaylightSavingTimeTransition(after: date)
            spans[position] = Span(
                validFrom: ms, validUntil: next.map { Int64($0.timeIntervalSince1970 * 1000) } ?? .max,
                offsetSeconds: Int64(zone.secondsFromGMT(for: date)))
        }
        let span = spans[position]
        let localSeconds = ms / 1000 + span.offsetSeconds - (ms < 0 && ms % 1000 != 0 ? 1 : 0)
        let days = localSeconds >= 0 ? localSeconds / 86400 : (localSeconds - 86399) / 86400
        let secondOfDay = localSeconds - days * 86400
        return LocalTime(weekday: CivilDate.weekday(days: days), minuteOfDay: Int(secondOfDay / 60))
    }

    private mutating func position(of identifier: String, hash: Int) -> Int? {
        if let known = index.find(hash: hash, where: { identifiers[Int($0)] == identifier }) {
            return zones[Int(known)] == nil ? nil : Int(known)
        }
        if identifiers.count >= Self.maxCachedZones {
            index = IncrementalHashIndex()
            identifiers.removeAll(keepingCapacity: true)
            spans.removeAll(keepingCapacity: true)
            zones.removeAll(keepingCapacity: true)
        }
        let zone = TimeZone(identifier: identifier)
        index.insert(hash: hash, position: Int32(identifiers.count))
        identifiers.append(identifier)
        spans.append(Span())
        zones.append(zone)
        return zone == nil ? nil : identifiers.count - 1
    }
}
