/// The bytes of an id as two words, read where they lie: the whole of an id of at most ``capacity`` bytes, so
/// that two such ids of the same length are equal exactly when their words are (``IdentifierInterner`` compares
/// them so, without a call to `memcmp` per lookup); for a longer id, its first and last 8 bytes.
///
/// The words are read as `SubjectHash` reads a tail, with loads that overlap inside the buffer rather than past
/// its end: 8 bytes or more, the first 8 and the last 8; 4 to 7, the first 4 and the last 4; 1 to 3, the first,
/// middle and last byte.
struct ShortBytes: Equatable {
    static let capacity = 16

    private var head: UInt64 = 0
    private var tail: UInt64 = 0

    init() {}

    @inline(__always)
    init(_ bytes: UnsafeRawBufferPointer) {
        let count = bytes.count
        if count >= 8 {
            head = bytes.loadUnaligned(as: UInt64.self)
            tail = bytes.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self)
        } else if count >= 4 {
            head = UInt64(bytes.loadUnaligned(as: UInt32.self))
            tail = UInt64(bytes.loadUnaligned(fromByteOffset: count - 4, as: UInt32.self))
        } else if count > 0 {
            head = UInt64(bytes[0]) | UInt64(bytes[count / 2]) << 8 | UInt64(bytes[count - 1]) << 16
        }
    }
}
