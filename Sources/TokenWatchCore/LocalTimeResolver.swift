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

    private struct ZoneSpan: Sendable {
        let zone: TimeZone
        var validFrom: Int64 = .max
        var validUntil: Int64 = .min
        var offsetSeconds: Int64 = 0
    }

    /// `nil` marks an identifier Foundation does not know, so it is not looked up again.
    private var zones: [String: ZoneSpan?] = [:]
    private static let maxCachedZones = 1024

    /// The local time of `time` in `identifier`, or `nil` if the zone is unknown.
    mutating func localTime(of time: EventTime, in identifier: String) -> LocalTime? {
        guard var span = cachedSpan(identifier) else { return nil }
        let ms = time.milliseconds
        if ms < span.validFrom || ms >= span.validUntil {
            let date = Date(timeIntervalSince1970: Double(ms) / 1000)
            span.offsetSeconds = Int64(span.zone.secondsFromGMT(for: date))
            span.validFrom = ms
            let next = span.zone.nextDaylightSavingTimeTransition(after: date)
            span.validUntil = next.map { Int64($0.timeIntervalSince1970 * 1000) } ?? .max
            zones[identifier] = span
        }
        let localSeconds = ms / 1000 + span.offsetSeconds - (ms < 0 && ms % 1000 != 0 ? 1 : 0)
        let days = localSeconds >= 0 ? localSeconds / 86400 : (localSeconds - 86399) / 86400
        let secondOfDay = localSeconds - days * 86400
        return LocalTime(weekday: CivilDate.weekday(days: days), minuteOfDay: Int(secondOfDay / 60))
    }

    private mutating func cachedSpan(_ identifier: String) -> ZoneSpan? {
        if let cached = zones[identifier] { return cached }
        if zones.count >= Self.maxCachedZones { zones.removeAll(keepingCapacity: true) }
        let span = TimeZone(identifier: identifier).map { ZoneSpan(zone: $0) }
        zones[identifier] = .some(span)
        return span
    }
}
