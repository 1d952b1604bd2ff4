/// How rendered settings write their values, so that ``ConfigurationLoader`` reads them back unchanged.
package enum YAMLScalar {
    /// A double-quoted string.
    package static func quoted(_ text: String) -> String {
        "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }

    /// `"HH:MM"` for minutes after midnight.
    static func timeOfDay(_ minutes: Int) -> String {
        let h = minutes / 60
        let m = minutes % 60
        return "\"\(h < 10 ? "0" : "")\(h):\(m < 10 ? "0" : "")\(m)\""
    }

    package static func duration(_ duration: Duration) -> String { DurationText.format(duration) }

    package static func list(_ items: [String]) -> String { "[\(items.joined(separator: ", "))]" }
}
