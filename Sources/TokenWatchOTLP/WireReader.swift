/// Why a protobuf body could not be read.
package enum OTLPWireError: Error, Sendable, CustomStringConvertible {
    case truncated
    case malformed
    case invalidUTF8

    package var description: String {
        switch self {
        case .truncated: "truncated protobuf"
        case .malformed: "malformed protobuf"
        case .invalidUTF8: "a string field is not valid UTF-8"
        }
    }
}

/// A bounds-checked cursor over protobuf's wire format (varints, fixed widths, length-delimited fields):
/// what ``OTLPWireSpans`` walks a request with, without copying it.
struct WireReader {
    enum WireType: UInt8 {
        case varint = 0
        case fixed64 = 1
        case lengthDelimited = 2
        case fixed32 = 5
    }

    private let base: UnsafeRawBufferPointer
    private var position: Int
    private let end: Int

    init(_ buffer: UnsafeRawBufferPointer) {
        base = buffer
        position = 0
        end = buffer.count
    }

    private init(base: UnsafeRawBufferPointer, start: Int, end: Int) {
        self.base = base
        position = start
        self.end = end
    }

    /// The next field's number and wire type; `nil` at the end.
    mutating func nextField() throws(OTLPWireError) -> (number: UInt64, wire: WireType)? {
        guard position < end else { return nil }
        let key = try varint()
        guard key >> 3 > 0, let wire = WireType(rawValue: UInt8(key & 7)) else { throw .malformed }
        return (key >> 3, wire)
    }

    mutating func varint() throws(OTLPWireError) -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard position < end else { throw .truncated }
            let byte = base[position]
            position += 1
            guard shift < 63 || byte <= 1 else { throw .malformed }
            result |= UInt64(byte & 0x7F) << shift
            if byte < 0x80 { return result }
            shift += 7
        }
    }

    mutating func fixed64() throws(OTLPWireError) -> UInt64 {
        guard end - position >= 8 else { throw .truncated }
        let value = UInt64(littleEndian: base.loadUnaligned(fromByteOffset: position, as: UInt64.self))
        position += 8
        return value
    }

    /// A length-delimited field's content, as a reader of its own; this one moves past it.
    mutating func nested() throws(OTLPWireError) -> WireReader {
        let length = try varint()
        guard length <= UInt64(end - position) else { throw .truncated }
        let nested = WireReader(base: base, start: position, end: position + Int(length))
        position += Int(length)
        return nested
    }

    /// Calls `body` with a reader of each embedded message in field `number` (a repeated message field), in
    /// order, skipping every other field; that field must be length-delimited.
    mutating func forEachMessage(
        in number: UInt64, _ body: (inout WireReader) throws(OTLPWireError) -> Void
    ) throws(OTLPWireError) {
        while let (field, wire) = try nextField() {
            guard field == number else {
                try skip(wire)
                continue
            }
            try Self.expect(wire, .lengthDelimited)
            var message = try nested()
            try body(&message)
        }
    }

    /// The bytes not yet read.
    var remaining: UnsafeRawBufferPointer { UnsafeRawBufferPointer(rebasing: base[position..<end]) }

    mutating func skip(_ wire: WireType) throws(OTLPWireError) {
        switch wire {
        case .varint: _ = try varint()
        case .lengthDelimited: _ = try nested()
        case .fixed64, .fixed32:
            let width = wire == .fixed64 ? 8 : 4
            guard end - position >= width else { throw .truncated }
            position += width
        }
    }

    /// Requires the wire type a known field must have.
    static func expect(_ wire: WireType, _ expected: WireType) throws(OTLPWireError) {
        guard wire == expected else { throw .malformed }
    }
}
