/// Settings that make up one section of the configuration file, and read, validate and render themselves.
///
/// Each section's keys, ranges and YAML layout live beside its struct, so a setting is added in one place:
/// ``ConfigurationLoader`` opens the section and hands it over, ``ConfigurationRenderer`` asks it for its lines.
protocol SectionSettings: Sendable, Equatable {
    /// The keys the section accepts; any other is reported as unknown.
    static var keys: [String] { get }
    /// The keys this value accepts: ``keys``, and for the forward section its receiver kinds' too.
    var acceptedKeys: [String] { get }
    /// Reads the keys the file gives over the current values (the defaults, or what an override starts
    /// from), reporting wrong values and inconsistent combinations to `section`.
    mutating func read(_ section: inout ConfigurationSection)
    /// The section's lines as `check-config --print` writes them, without the section's own indentation;
    /// reading them back gives the same settings.
    var yamlLines: [String] { get }
}

extension SectionSettings {
    var acceptedKeys: [String] { Self.keys }
}
