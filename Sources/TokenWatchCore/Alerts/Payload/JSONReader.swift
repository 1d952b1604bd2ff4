/// Reads one JSON document (RFC 8259) into a ``JSONValue``, or says at which byte and why it is not one.
///
/// Written for alert payloads and journal lines: small documents read off sockets and files. It keeps what
/// the alert codec needs and a general decoder drops, the order of an object's members and the literal text
/// of a number, and it bounds nesting so that a hostile document cannot exhaust the stack.
package struct JSONReader {
    /// Why a text is not JSON: the byte offset where reading stopped and what was expected there.
    package struct Failure: Error, Sendable, Equatable {
        package var offset: Int
        package var expected: String
    }

    /// Objects and lists nested deeper than this are refused; an alert nests three deep.
    package static let maximumDepth = 64

    private let bytes: [UInt8]
    private var position = 0
    private var depth = 0

    /// Reads `text` whole: one value, surrounded by nothing but white space.
    package static func read(_ text: some StringProtocol) throws(Failure) -> JSONValue {
        var reader = JSONReader(bytes: Array(text.utf8))
        let value = try reader.value()
        reader.skipSpace()
        guard reader.position == reader.bytes.count else { throw reader.failure("the end of the text") }
        return value
    }

    private init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    private mutating func value() throws(Failure) -> JSONValue {
        skipSpace()
        guard position < bytes.count else { throw failure("a value") }
        switch bytes[position] {
        case UInt8(ascii: "{"): return try object()
        case UInt8(ascii: "["): return try array()
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): return try literal("true", .bool(true))
        case UInt8(ascii: "f"): return try literal("false", .bool(false))
        case UInt8(ascii: "n"): return try literal("null", .null)
        default: return .number(try number())
        }
    }

    private mutating func object() throws(Failure) -> JSONValue {
        try enter()
        var members: [JSONValue.Member] = []
        skipSpace()
        if !consume("}") {
            repeat {
                skipSpace()
                guard position < bytes.count, bytes[position] == UInt8(ascii: "\"") else { throw failure("a key") }
                let key = try string()
                skipSpace()
                guard consume(":") else { throw failure("':'") }
                members.append(JSONValue.Member(key: key, value: try value()))
                skipSpace()
            } while consume(",")
            guard consume("}") else { throw failure("',' or '}'") }
        }
        depth -= 1
        return .object(members)
    }

    private mutating func array() throws(Failure) -> JSONValue {
        try enter()
        var elements: [JSONValue] = []
        skipSpace()
        if !consume("]") {
            repeat {
                elements.append(try value())
                skipSpace()
            } while consume(",")
            guard consume("]") else { throw failure("',' or ']'") }
        }
        depth -= 1
        return .array(elements)
    }

    /// Steps over the opening bracket of an object or a list, one level deeper.
    private mutating func enter() throws(Failure) {
        guard depth < Self.maximumDepth else { throw failure("at most \(Self.maximumDepth) levels of nesting") }
        depth += 1
        position += 1
    }

    private mutating func string() throws(Failure) -> String {
        position += 1
        var text: [UInt8] = []
        // Bytes between escapes are taken a run at a time.
        var run = position
        while position < bytes.count {
            let byte = bytes[position]
            switch byte {
            case UInt8(ascii: "\""):
                text += bytes[run..<position]
                position += 1
                return String(decoding: text, as: UTF8.self)
            case UInt8(ascii: "\\"):
                text += bytes[run..<position]
                position += 1
                try escape(into: &text)
                run = position
            case ..<0x20:
                throw failure("a control character written as an escape")
            default: position += 1
            }
        }
        throw failure("'\"' closing the text")
    }

    private mutating func escape(into text: inout [UInt8]) throws(Failure) {
        guard position < bytes.count else { throw failure("an escape") }
        let byte = bytes[position]
        position += 1
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): text.append(byte)
        case UInt8(ascii: "b"): text.append(0x08)
        case UInt8(ascii: "f"): text.append(0x0C)
        case UInt8(ascii: "n"): text.append(0x0A)
        case UInt8(ascii: "r"): text.append(0x0D)
        case UInt8(ascii: "t"): text.append(0x09)
        case UInt8(ascii: "u"):
            var scalar = try hexQuad()
            // A UTF-16 surrogate pair written as two escapes is one character; a lone half is not one.
            if (0xD800..<0xDC00).contains(scalar), bytes[position...].starts(with: Array("\\u".utf8)) {
                position += 2
                let low = try hexQuad()
                scalar = (0xDC00..<0xE000).contains(low) ? 0x10000 + (scalar - 0xD800) << 10 + (low - 0xDC00) : 0xFFFD
            }
            text.append(contentsOf: String(Unicode.Scalar(scalar) ?? "\u{FFFD}").utf8)
        default:
            position -= 1
            throw failure("one of \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\u")
        }
    }

    private mutating func hexQuad() throws(Failure) -> UInt32 {
        guard position + 4 <= bytes.count,
            let value = UInt32(String(decoding: bytes[position..<position + 4], as: UTF8.self), radix: 16)
        else { throw failure("four hexadecimal digits") }
        position += 4
        return value
    }

    /// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`, returned as written.
    private mutating func number() throws(Failure) -> String {
        let start = position
        _ = consume("-")
        guard position < bytes.count, isDigit(bytes[position]) else { throw failure("a value") }
        if !consume("0") { digits() }
        if consume(".") {
            guard position < bytes.count, isDigit(bytes[position]) else { throw failure("a digit after '.'") }
            digits()
        }
        if consume("e") || consume("E") {
            if !consume("+") { _ = consume("-") }
            guard position < bytes.count, isDigit(bytes[position]) else { throw failure("a digit in the exponent") }
            digits()
        }
        return String(decoding: bytes[start..<position], as: UTF8.self)
    }

    private mutating func digits() {
        while position < bytes.count, isDigit(bytes[position]) { position += 1 }
    }

    private func isDigit(_ byte: UInt8) -> Bool { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) }

    private mutating func literal(_ word: String, _ value: JSONValue) throws(Failure) -> JSONValue {
        guard bytes[position...].starts(with: Array(word.utf8)) else { throw failure("a value") }
        position += word.utf8.count
        return value
    }

    private mutating func consume(_ character: Unicode.Scalar) -> Bool {
        guard position < bytes.count, bytes[position] == UInt8(ascii: character) else { return false }
        position += 1
        return true
    }

    private mutating func skipSpace() {
        while position < bytes.count {
            switch bytes[position] {
            case 0x20, 0x09, 0x0A, 0x0D: position += 1
            default: return
            }
        }
    }

    private func failure(_ expected: String) -> Failure {
        Failure(offset: position, expected: expected)
    }
}
