/// A checkpoint keeps each detector's state under its ``Detector/checkpointKey``, beside the engine's own keys.
extension DetectorSuite: Codable {
    struct StateKey: CodingKey {
        let stringValue: String
        init(stringValue: String) { self.stringValue = stringValue }
        var intValue: Int? { nil }
        init?(intValue: Int) { nil }
    }

    init(from decoder: any Decoder) throws {
        struct Decode: DetectorVisitor {
            let container: KeyedDecodingContainer<StateKey>
            var error: (any Error)?
            mutating func visit<D: Detector>(_ detector: inout D, with _: Void) {
                guard error == nil else { return }
                do {
                    // A detector whose state is missing (new, or its state's form changed) starts afresh.
                    if let state = try container.decodeIfPresent(D.self, forKey: StateKey(stringValue: D.checkpointKey))
                    {
                        detector = state
                    }
                } catch {
                    self.error = error
                }
            }
        }
        var visitor = Decode(container: try decoder.container(keyedBy: StateKey.self))
        self.init()
        forEach(&visitor)
        if let error = visitor.error { throw error }
    }

    func encode(to encoder: any Encoder) throws {
        struct Encode: DetectorVisitor {
            var container: KeyedEncodingContainer<StateKey>
            var error: (any Error)?
            mutating func visit<D: Detector>(_ detector: inout D, with _: Void) {
                guard error == nil else { return }
                do {
                    try container.encode(detector, forKey: StateKey(stringValue: D.checkpointKey))
                } catch {
                    self.error = error
                }
            }
        }
        var visitor = Encode(container: encoder.container(keyedBy: StateKey.self))
        var suite = self
        suite.forEach(&visitor)
        if let error = visitor.error { throw error }
    }
}

/// Restoring a checkpoint written before the engine's shards: every detector's state split by shard.
extension DetectorSuite {
    func split(into count: Int, by shard: @escaping (String) -> Int) -> [DetectorSuite] {
        struct Split: DetectorVisitor {
            var parts: [DetectorSuite]
            let shard: (String) -> Int
            mutating func visit<D: Detector>(_ detector: inout D, with _: Void) {
                let pieces = detector.split(into: parts.count, by: shard)
                for index in parts.indices { parts[index].replace(with: pieces[index]) }
            }
        }
        var visitor = Split(parts: Array(repeating: DetectorSuite(), count: count), shard: shard)
        var suite = self
        suite.forEach(&visitor)
        return visitor.parts
    }

    /// Puts `detector` in the place of the suite's detector of its type.
    private mutating func replace<D: Detector>(with detector: D) {
        var visitor = ReplaceDetector(detector: detector)
        forEach(&visitor)
    }
}

private struct ReplaceDetector<D: Detector>: DetectorVisitor {
    let detector: D
    mutating func visit<E: Detector>(_ existing: inout E, with _: Void) {
        if let same = detector as? E { existing = same }
    }
}
