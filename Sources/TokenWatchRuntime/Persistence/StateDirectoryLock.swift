import Foundation

/// An exclusive lock on the state directory, held for the life of the process.
///
/// Two daemons on one directory would interleave their journal segments and overwrite each other's
/// checkpoints. The lock is `flock(2)` on `<directory>/lock`, so the kernel releases it when the process
/// ends, however it ends; the file holds the owner's pid, for the error the second daemon prints.
public final class StateDirectoryLock: Sendable {
    public let path: String
    private let descriptor: Int32

    /// Takes the lock, or throws ``StateDirectoryLockError`` naming the directory (and the holder's pid).
    public init(directory: String) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        path = (directory as NSString).appendingPathComponent("lock")
        descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw StateDirectoryLockError(directory: directory, reason: "cannot open \(path): errno \(errno)")
        }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            let code = errno
            var holder = [UInt8](repeating: 0, count: 32)
            let count = pread(descriptor, &holder, holder.count, 0)
            close(descriptor)
            let pid = count > 0 ? String(decoding: holder.prefix(count), as: UTF8.self) : "?"
            throw StateDirectoryLockError(
                directory: directory,
                reason: code == EWOULDBLOCK
                    ? "in use by another tokenwatch (pid \(pid)); two daemons on one state directory would corrupt its journal and checkpoints"
                    : "cannot lock \(path): errno \(code)")
        }
        let pid = Array("\(getpid())".utf8)
        _ = ftruncate(descriptor, 0)
        _ = pwrite(descriptor, pid, pid.count, 0)
    }

    deinit { close(descriptor) }
}

/// The state directory is held by another process, or cannot be locked.
public struct StateDirectoryLockError: Error, CustomStringConvertible {
    public var directory: String
    public var reason: String
    public var description: String { "state directory \(directory): \(reason)" }
}
