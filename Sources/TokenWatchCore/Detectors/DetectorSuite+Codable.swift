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
