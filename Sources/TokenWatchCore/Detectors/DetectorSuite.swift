/// The detectors TokenWatch runs, in the order their findings are made for each event.
///
/// This is where the set of detectors is declared: a detector is its folder under `Detectors/`, plus a
/// stored property and a `forEach` line here. (Two lines, not one: the engine reaches each detector through
/// a stored property, so that every per-event call is statically dispatched, and Swift cannot enumerate
/// stored properties at compile time.)
struct DetectorSuite: Sendable {
    var repetitivePrompts = RepetitivePromptsDetector(configuration: .init())
    var offHoursBurst = OffHoursBurstDetector(configuration: .init())
    var agentLoop = AgentLoopDetector(configuration: .init())
    var scriptedCadence = ScriptedCadenceDetector(configuration: .init())
    var trivialFlood = TrivialFloodDetector(configuration: .init())
    var contextPadding = ContextPaddingDetector(configuration: .init())

    mutating func forEach<Visitor: DetectorVisitor>(_ visitor: inout Visitor, with input: Visitor.Input) {
        visitor.visit(&repetitivePrompts, with: input)
        visitor.visit(&offHoursBurst, with: input)
        visitor.visit(&agentLoop, with: input)
        visitor.visit(&scriptedCadence, with: input)
        visitor.visit(&trivialFlood, with: input)
        visitor.visit(&contextPadding, with: input)
    }

    mutating func forEach<Visitor: DetectorVisitor>(_ visitor: inout Visitor) where Visitor.Input == Void {
        forEach(&visitor, with: ())
    }
}

extension DetectorSuite {
    init(settings: DetectorSettings) {
        apply(settings)
    }

    /// Gives every detector its settings from `settings`, keeping its state.
    mutating func apply(_ settings: DetectorSettings) {
        struct Apply: DetectorVisitor {
            let settings: DetectorSettings
            mutating func visit<D: Detector>(_ detector: inout D, with _: Void) {
                detector.configuration = settings[D.self]
            }
        }
        var visitor = Apply(settings: settings)
        forEach(&visitor)
    }

    /// Visits each detector type once, in suite order (through an idle suite: nothing is kept).
    static func forEachType<Visitor: DetectorTypeVisitor>(_ visitor: inout Visitor) {
        var suite = DetectorSuite()
        var types = TypeVisitorAdapter(inner: visitor)
        suite.forEach(&types)
        visitor = types.inner
    }

    /// Every detector's name, in suite order.
    static let names: [DetectorName] = {
        struct Names: DetectorTypeVisitor {
            var names: [DetectorName] = []
            mutating func visit<D: Detector>(_ type: D.Type) { names.append(D.name) }
        }
        var visitor = Names()
        forEachType(&visitor)
        return visitor.names
    }()
}

/// Visits each detector's type while visiting an idle suite.
private struct TypeVisitorAdapter<Inner: DetectorTypeVisitor>: DetectorVisitor {
    var inner: Inner
    mutating func visit<D: Detector>(_ detector: inout D, with _: Void) { inner.visit(D.self) }
}

/// An operation on each detector type (reading, rendering, naming), specialised per type.
protocol DetectorTypeVisitor {
    mutating func visit<D: Detector>(_ type: D.Type)
}
