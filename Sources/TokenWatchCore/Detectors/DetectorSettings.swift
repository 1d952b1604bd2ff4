/// Every detector's settings: the defaults for everyone (`detectors:`), and each override's.
///
/// Holds one value per detector of ``DetectorSuite``, reached by the detector's type (`settings[D.self]`);
/// each detector's folder adds a named accessor (`settings.agentLoop`). Read per event only for subjects
/// with an override.
public struct DetectorSettings: Sendable {
    private var byDetector: [ObjectIdentifier: any DetectorConfiguration] = [:]

    /// Every detector at its defaults.
    public init() {
        struct Defaults: DetectorTypeVisitor {
            var settings: [ObjectIdentifier: any DetectorConfiguration] = [:]
            mutating func visit<D: Detector>(_ type: D.Type) { settings[ObjectIdentifier(D.self)] = D.Configuration() }
        }
        var defaults = Defaults()
        DetectorSuite.forEachType(&defaults)
        byDetector = defaults.settings
    }

    subscript<D: Detector>(_ detector: D.Type) -> D.Configuration {
        get {
            guard let settings = byDetector[ObjectIdentifier(D.self)] as? D.Configuration else {
                preconditionFailure("\(D.name) is not in DetectorSuite")
            }
            return settings
        }
        set { byDetector[ObjectIdentifier(D.self)] = newValue }
    }
}

extension DetectorSettings: Equatable {
    public static func == (lhs: DetectorSettings, rhs: DetectorSettings) -> Bool {
        struct Compare: DetectorTypeVisitor {
            let lhs: DetectorSettings
            let rhs: DetectorSettings
            var equal = true
            mutating func visit<D: Detector>(_ type: D.Type) { equal = equal && lhs[D.self] == rhs[D.self] }
        }
        var compare = Compare(lhs: lhs, rhs: rhs)
        DetectorSuite.forEachType(&compare)
        return compare.equal
    }
}
