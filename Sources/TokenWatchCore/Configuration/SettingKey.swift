/// One key of a configuration section, declared once: its name in the file and the property it sets, and
/// from that one declaration how the key is read (with its range), written back by `check-config --print`,
/// and reported among an alert's thresholds. A setting's default is its property's initial value.
struct SettingKey<Settings> {
    let name: String
    let property: PartialKeyPath<Settings>
    let read: (inout Settings, inout ConfigurationSection) -> Void
    /// Its lines as `check-config --print` writes them (more than one for a subsection).
    let lines: (Settings) -> [String]
    /// Its value as an alert's threshold, when it is one a figure can show.
    let figure: (Settings) -> AlertFigure?
}

extension SettingKey {
    /// A key whose value `read` takes from the section (`nil` when absent or wrong, the issue reported), written
    /// back as `text`, and shown in an alert as `figure`.
    private static func value<Value>(
        _ name: String, _ property: WritableKeyPath<Settings, Value>,
        read: @escaping (inout ConfigurationSection) -> Value?, text: @escaping (Value) -> String,
        figure: @escaping (Value) -> AlertFigure?
    ) -> Self {
        Self(
            name: name, property: property,
            read: { settings, section in
                if let value = read(&section) { settings[keyPath: property] = value }
            },
            lines: { ["\(name): \(text($0[keyPath: property]))"] }, figure: { figure($0[keyPath: property]) })
    }

    static func bool(_ name: String, _ property: WritableKeyPath<Settings, Bool>) -> Self {
        value(name, property, read: { $0.bool(name) }, text: { "\($0)" }, figure: { _ in nil })
    }

    /// An integer key of any width, read within `range` (`Int`, `Int64`, `Int32` properties alike).
    static func integer<Value: BinaryInteger>(
        _ name: String, _ property: WritableKeyPath<Settings, Value>, _ range: ClosedRange<Int>
    ) -> Self {
        value(
            name, property, read: { $0.integer(name, range).map { Value($0) } }, text: { "\($0)" },
            figure: { .integer(Int64($0)) })
    }

    static func number(
        _ name: String, _ property: WritableKeyPath<Settings, Double>, _ range: ClosedRange<Double>
    ) -> Self {
        value(name, property, read: { $0.number(name, range) }, text: { "\($0)" }, figure: { .number($0) })
    }

    static func duration(_ name: String, _ property: WritableKeyPath<Settings, Duration>) -> Self {
        value(name, property, read: { $0.duration(name) }, text: YAMLScalar.duration, figure: { _ in nil })
    }

    /// A quoted text key (a topic, a path); `problem` says what is wrong with a value, `nil` when it is fine.
    static func text(
        _ name: String, _ property: WritableKeyPath<Settings, String>, expecting what: String,
        problem: @escaping (String) -> String? = { _ in nil }
    ) -> Self {
        value(
            name, property,
            read: { section in
                guard let text = section.text(name, expecting: what) else { return nil }
                guard let problem = problem(text) else { return text }
                section.report(name, problem)
                return nil
            }, text: YAMLScalar.quoted, figure: { _ in nil })
    }

    /// A quoted text key that must not be empty (a topic).
    static func nonEmptyText(_ name: String, _ property: WritableKeyPath<Settings, String>) -> Self {
        value(name, property, read: { $0.string(name) }, text: YAMLScalar.quoted, figure: { _ in nil })
    }

    /// A ZeroMQ endpoint to bind or connect (`tcp://HOST:PORT`, `ipc://PATH`), or empty when `emptyDisables`.
    static func endpoint(
        _ name: String, _ property: WritableKeyPath<Settings, String>, emptyDisables: Bool = false
    ) -> Self {
        value(
            name, property,
            read: { section in
                guard emptyDisables else { return section.endpoint(name) }
                guard let text = section.text(name, expecting: "an endpoint or empty") else { return nil }
                return text.isEmpty ? "" : section.endpoint(name)
            }, text: YAMLScalar.quoted, figure: { _ in nil })
    }

    /// `HOST:PORT` to listen on (quoted), or empty when `emptyDisables`.
    static func hostPort(
        _ name: String, _ property: WritableKeyPath<Settings, String>, example: String, emptyDisables: Bool
    ) -> Self {
        value(
            name, property, read: { $0.hostPort(name, example: example, emptyDisables: emptyDisables) },
            text: YAMLScalar.quoted, figure: { _ in nil })
    }

    /// One of `choices`, written bare.
    static func choice(_ name: String, _ property: WritableKeyPath<Settings, String>, _ choices: [String]) -> Self {
        value(
            name, property,
            read: { section in
                guard let text = section.string(name) else { return nil }
                guard choices.contains(text) else {
                    section.report(name, "must be one of \(choices.joined(separator: ", ")), not '\(text)'")
                    return nil
                }
                return text
            }, text: { $0 }, figure: { _ in nil })
    }

    /// A case of `Value`, by its raw value, written bare.
    static func choice<Value: RawRepresentable & CaseIterable>(
        _ name: String, _ property: WritableKeyPath<Settings, Value>
    ) -> Self where Value.RawValue == String {
        value(
            name, property,
            read: { section in
                guard let text = section.string(name) else { return nil }
                guard let value = Value(rawValue: text) else {
                    let names = Value.allCases.map(\.rawValue)
                    let listed = names.dropLast().joined(separator: ", ") + " or " + (names.last ?? "")
                    section.report(name, "must be \(listed), not '\(text)'")
                    return nil
                }
                return value
            }, text: { $0.rawValue }, figure: { _ in nil })
    }

    /// A key of a kind of its own (a subsection, a list of days): its reading and lines given here.
    static func custom(
        _ name: String, _ property: PartialKeyPath<Settings>,
        read: @escaping (inout Settings, inout ConfigurationSection) -> Void,
        lines: @escaping (Settings) -> [String]
    ) -> Self {
        Self(name: name, property: property, read: read, lines: lines, figure: { _ in nil })
    }
}

/// Settings whose keys are each declared once (``SettingKey``): the keys the section accepts, how it is read
/// and how it is written come from the declarations, in their order.
protocol DeclaredSettings: SectionSettings {
    /// Every key of the section, in the order they are read and written.
    static var declaredKeys: [SettingKey<Self>] { get }
    /// Reports combinations of values that make no sense, once every key is read.
    func check(_ section: inout ConfigurationSection)
}

extension DeclaredSettings {
    static var keys: [String] { declaredKeys.map(\.name) }

    mutating func read(_ section: inout ConfigurationSection) {
        for key in Self.declaredKeys { key.read(&self, &section) }
        check(&section)
    }

    var yamlLines: [String] { Self.declaredKeys.flatMap { $0.lines(self) } }

    func check(_ section: inout ConfigurationSection) {}

    /// The values of `properties` as an alert's thresholds, under their names in the file, in that order.
    func thresholds(_ properties: PartialKeyPath<Self>...) -> [(String, AlertFigure)] {
        let declared = Self.declaredKeys
        return properties.compactMap { property in
            guard let key = declared.first(where: { $0.property == property }), let figure = key.figure(self) else {
                preconditionFailure("\(property) is not a declared key with a figure")
            }
            return (key.name, figure)
        }
    }
}
