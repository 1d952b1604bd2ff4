import Foundation

/// Replaces files so that a crash or a power cut leaves the old contents or the new, never half of them: the
/// data is written beside the file and fsynced, renamed over it, and the directory fsynced so that the rename
/// itself is on disk. The daemon's checkpoint and `tokenwatch forward`'s cursor, queues and Alertmanager sets
/// all go through here, since each of them is only as safe as the order in which its writes reach the disk.
public enum DurableFile {
    /// Writes `data` as `file`, atomically and durably.
    public static func replace(_ file: URL, with data: Data) throws {
        let directory = file.deletingLastPathComponent()
        let temporary = directory.appendingPathComponent(".\(file.lastPathComponent).tmp")
        try writeSynced(data, to: temporary.path)
        try move(temporary, to: file)
    }

    /// Renames `source` to `destination` and makes the rename durable.
    public static func move(_ source: URL, to destination: URL) throws {
        guard rename(source.path, destination.path) == 0 else {
            throw FileOperationError(operation: "rename to \(destination.path)", code: errno)
        }
        let directory = open(destination.deletingLastPathComponent().path, O_RDONLY | O_DIRECTORY)
        if directory >= 0 {
            fsync(directory)
            close(directory)
        }
    }

    private static func writeSynced(_ data: Data, to path: String) throws {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw FileOperationError(operation: "open \(path)", code: errno) }
        defer { close(descriptor) }
        try data.withUnsafeBytes { bytes in
            var offset = 0
            while offset < bytes.count {
                let written = Glibc.write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    throw FileOperationError(operation: "write \(path)", code: errno)
                }
                offset += written
            }
        }
        guard fsync(descriptor) == 0 else { throw FileOperationError(operation: "fsync \(path)", code: errno) }
    }
}

/// A failed file operation, with its errno.
public struct FileOperationError: Error, CustomStringConvertible {
    public var operation: String
    public var code: Int32
    public var description: String { "\(operation): \(String(cString: strerror(code)))" }
}
