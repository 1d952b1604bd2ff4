import Yams

/// One mapping of the configuration file (`events`, `detectors.agent_loop`, an override's section), as the
/// section's settings read it: key by key, through the typed readers of ``ConfigurationReader``.
///
/// Unknown and duplicate keys were reported when the section was opened. Each reader returns `nil` when its
/// key is absent or wrong (recording an issue, with the line and column, in the second case), so a setting
/// reads as `window = section.duration("window") ?? window`.
package struct ConfigurationSection {
    var reader: ConfigurationReader
    /// The section's own node: where issues about the section as a whole are reported.
    let node: Node
    /// The section's dotted key path (`detectors.agent_loop`).
    let path: String
    private let values: [String: Node]

    init(reader: ConfigurationReader, node: Node, path: String, values: [String: Node]) {
        self.reader = reader
        self.node = node
        self.path = path
        self.values = values
    }

    package func contains(_ key: String) -> Bool { values[key] != nil }

    package func keyPath(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    /// Records an issue at the key's value, or at the section when the key is absent.
    package mutating func report(_ key: String, _ message: String) {
        reader.report(values[key] ?? node, keyPath(key), message)
    }

    /// Records an issue about the section as a whole (a combination of keys), at the section.
    mutating func report(_ message: String) {
        reader.report(node, path, message)
    }

    /// Records an issue about a key that the section lacks, at the section.
    package mutating func reportMissing(_ key: String, _ message: String) {
        reader.report(node, keyPath(key), message)
    }

    package mutating func bool(_ key: String) -> Bool? { reader.bool(values[key], keyPath(key)) }

    package mutating func integer(_ key: String, _ range: ClosedRange<Int>) -> Int? {
        reader.integer(values[key], keyPath(key), range)
    }

    mutating func integer64(_ key: String, _ range: ClosedRange<Int>) -> Int64? {
        reader.integer(values[key], keyPath(key), range).map(Int64.init)
    }

    package mutating func number(_ key: String, _ range: ClosedRange<Double>) -> Double? {
        reader.number(values[key], keyPath(key), range)
    }

    package mutating func duration(_ key: String) -> Duration? { reader.duration(values[key], keyPath(key)) }

    /// A non-empty string.
    package mutating func string(_ key: String) -> String? { reader.string(values[key], keyPath(key)) }

    /// Any scalar's text, empty included.
    package mutating func text(_ key: String, expecting what: String) -> String? {
        guard let node = values[key] else { return nil }
        return reader.scalarText(node, keyPath(key), expecting: what)
    }

    mutating func endpoint(_ key: String) -> String? { reader.endpoint(values[key], keyPath(key)) }

    mutating func endpoints(_ key: String) -> String? { reader.endpoints(values[key], keyPath(key)) }

    mutating func hostPort(_ key: String, example: String, emptyDisables: Bool) -> String? {
        reader.hostPort(values[key], keyPath(key), example: example, emptyDisables: emptyDisables)
    }

    mutating func timeZone(_ key: String) -> String? { reader.timeZone(values[key], keyPath(key)) }

    mutating func timeOfDay(_ key: String) -> Int? { reader.timeOfDay(values[key], keyPath(key)) }

    mutating func weekdays(_ key: String) -> Set<Int>? { reader.weekdays(values[key], keyPath(key)) }

    /// The items of a list of strings, each checked by `accept` (which returns the message for a bad one).
    package mutating func strings(_ key: String, what: String, _ accept: (String) -> String?) -> [String]? {
        guard let node = values[key], let items = reader.sequenceOrEmpty(node, keyPath(key), what: what) else {
            return nil
        }
        var accepted: [String] = []
        for item in items {
            if let text = item.string, accept(text) == nil {
                accepted.append(text)
            } else {
                reader.report(item, keyPath(key), accept(item.string ?? "") ?? "must be a string")
            }
        }
        return accepted
    }

    /// A list of integers, each in `range`.
    mutating func integers(_ key: String, _ range: ClosedRange<Int>) -> [Int]? {
        guard let node = values[key], let items = reader.sequenceOrEmpty(node, keyPath(key), what: "a list of integers")
        else { return nil }
        var accepted: [Int] = []
        for (index, item) in items.enumerated() {
            if let number = reader.integer(item, "\(keyPath(key))[\(index)]", range) { accepted.append(number) }
        }
        return accepted
    }

    /// A list of mappings with the given keys, each read with `body` (given its index) as `key[index]`.
    package mutating func mappings(
        _ key: String, keys: [String], what: String, _ body: (Int, inout ConfigurationSection) -> Void
    ) {
        guard let node = values[key], let items = reader.sequenceOrEmpty(node, keyPath(key), what: what) else {
            return
        }
        for (index, item) in items.enumerated() {
            let path = "\(keyPath(key))[\(index)]"
            guard let nested = reader.mapping(item, path, keys: keys) else { continue }
            var section = ConfigurationSection(reader: reader, node: item, path: path, values: nested)
            body(index, &section)
            reader = section.reader
        }
    }

    /// A nested mapping with the given keys (nil when absent or not a mapping), read with `body`.
    mutating func subsection(_ key: String, keys: [String], _ body: (inout ConfigurationSection) -> Void) {
        guard let node = values[key], let nested = reader.mapping(node, keyPath(key), keys: keys) else { return }
        var section = ConfigurationSection(reader: reader, node: node, path: keyPath(key), values: nested)
        body(&section)
        reader = section.reader
    }
}

extension ConfigurationReader {
    /// Opens `node` as the section at `path` and lets `settings` read it.
    mutating func read<Settings: SectionSettings>(_ node: Node, at path: String, into settings: inout Settings) {
        guard let values = mapping(node, path, keys: settings.acceptedKeys) else { return }
        var section = ConfigurationSection(reader: self, node: node, path: path, values: values)
        settings.read(&section)
        self = section.reader
    }
}
