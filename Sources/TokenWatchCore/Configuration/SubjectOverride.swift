/// Detector settings for one team or one user: the defaults with the keys the override names changed.
public struct SubjectOverride: Sendable, Equatable {
    public enum Match: Sendable, Equatable, Hashable {
        case user(String)
        case team(String)
    }

    public var match: Match
    public var detectors: DetectorSettings

    public init(match: Match, detectors: DetectorSettings) {
        self.match = match
        self.detectors = detectors
    }
}
