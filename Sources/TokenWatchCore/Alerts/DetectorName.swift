/// A detector's name in alerts, topics, metrics and the configuration file (`repetitive_prompts`).
///
/// Each detector declares its own as a static constant in its folder; ``allCases`` lists the detectors
/// that ship, in the order of ``DetectorSuite``.
public struct DetectorName: RawRepresentable, Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    public let rawValue: String

    /// The name of a detector that ships; `nil` for any other text.
    public init?(rawValue: String) {
        guard Self.allCases.contains(where: { $0.rawValue == rawValue }) else { return nil }
        self.rawValue = rawValue
    }

    /// Declares a detector's name (in the detector's own folder).
    init(declaring rawValue: String) {
        self.rawValue = rawValue
    }

    public static var allCases: [DetectorName] { DetectorSuite.names }

    public var description: String { rawValue }

    public static func < (lhs: DetectorName, rhs: DetectorName) -> Bool { lhs.rawValue < rhs.rawValue }
}
