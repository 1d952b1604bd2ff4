/// What the engine does to every detector for each event, as visitors the compiler specialises per detector.

/// Drops the state that fell out of each detector's horizon.
struct Expiry: DetectorVisitor {
    let now: EventTime
    let horizons: UnsafeBufferPointer<Int64>
    private var index = 0

    init(now: EventTime, horizons: UnsafeBufferPointer<Int64>) {
        self.now = now
        self.horizons = horizons
    }

    mutating func visit<D: Detector>(_ detector: inout D, with _: Void) {
        detector.expire(before: EventTime(milliseconds: now.milliseconds - horizons[index]))
        index += 1
    }
}

/// Runs one event through each detector, under an override's settings when one applies.
struct Ingest: DetectorVisitor {
    var override: DetectorSettings?
    var findings: [Finding] = []
    /// The hashes of the event's ids.
    var keys: EventKeys

    /// The stream's watermark when the event arrived.
    var now = EventTime(milliseconds: 0)
    /// Whether the event made progress in its stream.
    var progress = CallProgress.unknown

    mutating func visit<D: Detector>(_ detector: inout D, with event: TokenEvent) {
        if let override {
            detector.ingest(
                event, keys: keys, progress: progress, arrivedAt: now, with: override[D.self], into: &findings)
        } else {
            detector.ingest(
                event, keys: keys, progress: progress, arrivedAt: now, with: detector.configuration, into: &findings)
        }
    }
}

/// Forgets the idlest subjects of each detector that tracks more than the limit.
struct Eviction: DetectorVisitor {
    let limit: Int
    private(set) var evicted = 0

    init(limit: Int) { self.limit = limit }

    mutating func visit<D: Detector>(_ detector: inout D, with _: Void) {
        if detector.trackedSubjects > limit { evicted += detector.evictIdlest(limit: limit) }
    }
}

/// How long, in milliseconds of event time, each detector needs a quiet subject's state: the longest
/// ``DetectorConfiguration/stateHorizon`` of the configuration and every override.
enum StateHorizons {
    static func longest(in configuration: TokenWatchConfiguration) -> [Int64] {
        struct Longest: DetectorTypeVisitor {
            let configuration: TokenWatchConfiguration
            var horizons: [Int64] = []
            mutating func visit<D: Detector>(_ type: D.Type) {
                let all = [configuration.detectors] + configuration.overrides.map(\.detectors)
                horizons.append(all.map { $0[D.self].stateHorizon.milliseconds }.max()!)
            }
        }
        var visitor = Longest(configuration: configuration)
        DetectorSuite.forEachType(&visitor)
        return visitor.horizons
    }
}
