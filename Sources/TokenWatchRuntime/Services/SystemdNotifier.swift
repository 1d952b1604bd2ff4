import Foundation
import TokenWatchCore

/// Sends sd_notify(3) messages (`READY=1`, `STATUS=…`, `WATCHDOG=1`, `RELOADING=1`, `STOPPING=1`) to the
/// Unix datagram socket systemd names in `NOTIFY_SOCKET`; a name starting with `@` is in the abstract
/// namespace. Without `NOTIFY_SOCKET` (not under systemd) every call does nothing.
public struct SystemdNotifier: Sendable {
    public let socketPath: String?

    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        socketPath = environment["NOTIFY_SOCKET"].flatMap { $0.isEmpty ? nil : $0 }
    }

    public var isActive: Bool { socketPath != nil }

    /// The watchdog interval systemd asks for (`WATCHDOG_USEC`), if it is meant for this process.
    public static func watchdogInterval(environment: [String: String] = ProcessInfo.processInfo.environment)
        -> Duration?
    {
        guard let text = environment["WATCHDOG_USEC"], let microseconds = Int64(text), microseconds > 0 else {
            return nil
        }
        if let pid = environment["WATCHDOG_PID"], pid != String(getpid()) { return nil }
        return .microseconds(microseconds)
    }

    /// How long a lifecycle message (`READY=1`, `RELOADING=1`, `STOPPING=1`) waits for room in systemd's queue.
    /// A datagram queue holds few messages (`net.unix.max_dgram_qlen`, 10 by default); systemd reads its own
    /// promptly, so a full one means it is busy or nobody reads that socket. Bounded, so that the daemon can
    /// neither hang nor stall a task of the cooperative pool on it; periodic ones (`WATCHDOG=1`, `STATUS=`) do
    /// not wait at all, as the next tick sends them again.
    public static let lifecyclePatience = Duration.seconds(2)

    /// Sends one message (several `KEY=value` lines), waiting at most `patience` while systemd's queue is full;
    /// returns whether it was sent.
    @discardableResult
    public func send(_ message: String, waitingAtMost patience: Duration = .zero) -> Bool {
        guard let socketPath else { return false }
        let descriptor = socket(
            AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        var path = Array(socketPath.utf8)
        if path.first == UInt8(ascii: "@") { path[0] = 0 }  // abstract namespace
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard path.count < capacity else { return false }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: path)
        }
        let length = socklen_t(MemoryLayout<sa_family_t>.size + path.count + (path.first == 0 ? 0 : 1))
        // Connected, so that poll(2) tells when systemd's queue has room again.
        let connected = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, length) }
        }
        guard connected == 0 else { return false }
        let bytes = Array(message.utf8)
        func attempt() -> Bool { Glibc.send(descriptor, bytes, bytes.count, Int32(MSG_NOSIGNAL)) == bytes.count }
        if attempt() { return true }
        guard errno == EAGAIN, patience > .zero else { return false }
        var writable = pollfd(fd: descriptor, events: Int16(POLLOUT), revents: 0)
        guard poll(&writable, 1, Int32(patience.milliseconds)) == 1 else { return false }
        return attempt()
    }

    public func ready(status: String? = nil) {
        send("READY=1" + (status.map { "\nSTATUS=\($0)" } ?? ""), waitingAtMost: Self.lifecyclePatience)
    }

    /// `RELOADING=1` with the `MONOTONIC_USEC` systemd wants beside it.
    public func reloading() {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        let microseconds = Int64(now.tv_sec) * 1_000_000 + Int64(now.tv_nsec) / 1000
        send("RELOADING=1\nMONOTONIC_USEC=\(microseconds)", waitingAtMost: Self.lifecyclePatience)
    }

    public func stopping() { send("STOPPING=1", waitingAtMost: Self.lifecyclePatience) }
    public func watchdog() { send("WATCHDOG=1") }
    public func status(_ text: String) { send("STATUS=\(text)") }
}
