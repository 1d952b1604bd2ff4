import Foundation
import TokenWatchCore

/// One simulated member of staff: when and how they work, and with which agents.
struct Person: Sendable {
    enum Kind: CaseIterable { case office, flexible, nightOwl, powerUser, onCall }
    var id: String
    var team: String
    var timeZone: String
    var kind: Kind
    /// The share of sessions a person holds outside work hours.
    var offHoursShare: Double
    var meanIntervalSeconds: Int
    var inputTokens: ClosedRange<Int64>
    /// Seconds east of UTC, fixed for the few days simulated.
    var utcOffsetSeconds: Int64

    static let zones = [
        "America/Los_Angeles", "America/New_York", "America/Sao_Paulo", "Europe/London", "Europe/Berlin",
        "Africa/Nairobi", "Asia/Kolkata", "Asia/Singapore", "Asia/Tokyo", "Australia/Sydney", "UTC",
    ]

    static func make(index: Int, random: inout SeededRandom) -> Person {
        let kind = random.pick([Kind.office, .office, .flexible, .flexible, .nightOwl, .powerUser, .onCall])
        let zone = random.pick(zones)
        let share: Double
        switch kind {
        case .office: share = Double.random(in: 0.15...0.4, using: &random)
        case .flexible: share = Double.random(in: 0.35...0.75, using: &random)
        case .nightOwl: share = Double.random(in: 0.6...0.9, using: &random)
        case .powerUser: share = Double.random(in: 0.3...0.6, using: &random)
        case .onCall: share = Double.random(in: 0.2...0.5, using: &random)
        }
        let offset = Int64(
            TimeZone(identifier: zone)?.secondsFromGMT(for: Date(timeIntervalSince1970: 1_793_577_600)) ?? 0)
        return Person(
            id: String(format: "u%03d", index + 1), team: TrafficGenerator.team(ofPerson: index), timeZone: zone,
            kind: kind,
            offHoursShare: share,
            meanIntervalSeconds: kind == .powerUser ? 45 : Int.random(in: 90...240, using: &random),
            inputTokens: kind == .powerUser ? 1000...5000 : 200...3000, utcOffsetSeconds: offset)
    }

    /// The UTC instant of this person's local midnight on simulated day `day`.
    func localMidnight(_ start: EventTime, day: Int) -> EventTime {
        start + .seconds(Int64(day) * 86400 - utcOffsetSeconds)
    }
}
