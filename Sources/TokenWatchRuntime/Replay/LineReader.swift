import Foundation

/// Splits a file into lines, reading in large chunks. Each line is lent to the caller in place, found with
/// `memchr`: no array per line, no byte-by-byte search in Swift.
public struct LineReader {
    private let handle: FileHandle

    /// Bytes asked of each `read`.
    static let chunkSize = 1 << 20

    public init(_ handle: FileHandle) { self.handle = handle }

    /// Calls `body` with each line, without its newline; a last line without one is passed too. A read error
    /// ends the input there.
    public func forEachLine(_ body: (UnsafeRawBufferPointer) -> Void) {
        // Read straight into one buffer that holds the unfinished line carried over, then the new bytes: reading
        // through `FileHandle.readData` made a `Data` per chunk and copied it in.
        var buffer = [UInt8](repeating: 0, count: 2 * Self.chunkSize)
        var held = 0
        var atEnd = false
        let descriptor = handle.fileDescriptor
        while !atEnd {
            if buffer.count - held < Self.chunkSize {
                // A line longer than the buffer's spare room: make room for it.
                buffer.append(contentsOf: repeatElement(0, count: Self.chunkSize))
            }
            let count = buffer.withUnsafeMutableBytes { bytes in
                read(descriptor, bytes.baseAddress! + held, bytes.count - held)
            }
            if count < 0 && errno == EINTR { continue }
            if count <= 0 { atEnd = true } else { held += count }
            buffer.withUnsafeMutableBytes { whole in
                let bytes = UnsafeMutableRawBufferPointer(rebasing: whole[..<held])
                guard let base = bytes.baseAddress else { return }
                var start = 0
                while start < bytes.count, let newline = memchr(base + start, 10, bytes.count - start) {
                    let end = base.distance(to: newline)
                    body(UnsafeRawBufferPointer(rebasing: bytes[start..<end]))
                    start = end + 1
                }
                if atEnd && start < bytes.count {
                    body(UnsafeRawBufferPointer(rebasing: bytes[start...]))
                    start = bytes.count
                }
                // The unfinished line moves to the front.
                if start > 0 && start < held { memmove(base, base + start, held - start) }
                held -= start
            }
        }
    }
}
