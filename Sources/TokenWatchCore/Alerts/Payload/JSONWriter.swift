/// Writes compact JSON in the order it is told; enough for alerts, with correct string escaping.
package struct JSONWriter {
    /// How text is escaped beyond what JSON requires of every writer (`"`, `\\` and control characters).
    package enum Escaping: Sendable {
        /// Only that: `\n`, `\r` and `\t` short, other control characters as `\u00xx`.
        case minimal
        /// As Foundation's `JSONSerialization` writes text: `/` as `\/`, and `\b` and `\f` short too.
        case foundation
    }

    private let escaping: Escaping

    package init(escaping: Escaping = .minimal) {
        self.escaping = escaping
    }

    package private(set) var text = ""
    private var needsComma = false

    /// Starts a value: a comma after a previous value, then the key when inside an object.
    private mutating func begin(_ key: String?) {
        if needsComma { text += "," }
        needsComma = true
        if let key {
            appendQuoted(key)
            text += ":"
        }
    }

    package mutating func beginObject(key: String? = nil) { open("{", key: key) }

    package mutating func endObject() { close("}") }

    package mutating func beginArray(key: String? = nil) { open("[", key: key) }

    package mutating func endArray() { close("]") }

    /// Opens an object or an array: its first value takes no comma.
    private mutating func open(_ bracket: String, key: String?) {
        begin(key)
        text += bracket
        needsComma = false
    }

    /// Closes an object or an array, which is then a value the next one follows with a comma.
    private mutating func close(_ bracket: String) {
        text += bracket
        needsComma = true
    }

    package mutating func string(_ value: String, key: String? = nil) {
        begin(key)
        appendQuoted(value)
    }

    package mutating func integer(_ value: Int64, key: String? = nil) {
        begin(key)
        text += String(value)
    }

    package mutating func number(_ value: Double, key: String? = nil) {
        begin(key)
        text += value.isFinite ? String(value) : "null"
    }

    package mutating func figures(_ figures: [(String, AlertFigure)], key: String? = nil) {
        beginObject(key: key)
        for (name, figure) in figures {
            switch figure {
            case .integer(let value): integer(value, key: name)
            case .number(let value): number(value, key: name)
            case .text(let value): string(value, key: name)
            case .list(let values):
                beginArray(key: name)
                for value in values { string(value) }
                endArray()
            }
        }
        endObject()
    }

    private mutating func appendQuoted(_ value: String) {
        text += "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": text += "\\\""
            case "\\": text += "\\\\"
            case "\n": text += "\\n"
            case "\r": text += "\\r"
            case "\t": text += "\\t"
            case "/" where escaping == .foundation: text += "\\/"
            case "\u{8}" where escaping == .foundation: text += "\\b"
            case "\u{c}" where escaping == .foundation: text += "\\f"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                text += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: text.unicodeScalars.append(scalar)
            }
        }
        text += "\""
    }
}
