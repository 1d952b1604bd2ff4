import Foundation
import TokenWatchCore

/// A TCP connection to `HOST:PORT` over a POSIX socket, with a 10 s receive timeout; the caller closes it.
func tcpConnect(_ hostPort: String) throws -> Int32 {
    let parts = hostPort.split(separator: ":")
    let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard descriptor >= 0 else { throw TimedOut(description: "socket: \(errno)") }
    var timeout = timeval(tv_sec: 10, tv_usec: 0)
    setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = in_port_t(UInt16(parts[1])!).bigEndian
    inet_pton(AF_INET, String(parts[0]), &address.sin_addr)
    let connected = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
        }
    }
    guard connected == 0 else {
        close(descriptor)
        throw TimedOut(description: "connect \(hostPort): errno \(errno)")
    }
    return descriptor
}

/// A plain HTTP/1.1 GET over a POSIX socket: independent of the daemon's HTTP stack.
func httpGet(_ hostPort: String, _ path: String) throws -> (status: Int, body: String) {
    let descriptor = try tcpConnect(hostPort)
    defer { close(descriptor) }
    let request = Array("GET \(path) HTTP/1.1\r\nHost: \(hostPort)\r\nConnection: close\r\n\r\n".utf8)
    _ = request.withUnsafeBytes { send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
    var response = [UInt8]()
    var buffer = [UInt8](repeating: 0, count: 65536)
    while true {
        let count = recv(descriptor, &buffer, buffer.count, 0)
        if count <= 0 { break }
        response += buffer[0..<count]
    }
    let text = String(decoding: response, as: UTF8.self)
    guard let headerEnd = text.range(of: "\r\n\r\n"), let status = Int(text.split(separator: " ")[1]) else {
        throw TimedOut(description: "malformed HTTP response: \(text.prefix(200))")
    }
    return (status, String(text[headerEnd.upperBound...]))
}

/// Parses Prometheus text exposition into `name{labels} → value`, checking every line's syntax.
func parsePrometheus(_ text: String) throws -> [String: Double] {
    var samples: [String: Double] = [:]
    for line in text.split(separator: "\n") where !line.isEmpty {
        if line.hasPrefix("# HELP ") || line.hasPrefix("# TYPE ") { continue }
        guard !line.hasPrefix("#"), let space = line.lastIndex(of: " "),
            let value = Double(line[line.index(after: space)...])
        else {
            throw TimedOut(description: "not Prometheus text: \(line)")
        }
        let series = String(line[..<space])
        let name = series.prefix { $0 != "{" }
        guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == ":" }),
            !series.contains("{") || series.hasSuffix("}")
        else { throw TimedOut(description: "bad series name: \(series)") }
        samples[series] = value
    }
    return samples
}

/// A Unix datagram socket the test owns, standing in for systemd's notification socket.
final class NotifySocket {
    let descriptor: Int32
    /// The value for `NOTIFY_SOCKET`: a path, or `@name` for the abstract namespace.
    let address: String
    /// The same, as bind(2) took it: what ``fill()`` connects to.
    private var socketAddress = sockaddr_un()
    private let socketAddressLength: socklen_t

    init(abstract: Bool) throws {
        descriptor = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        let name = "tokenwatch-notify-\(UUID().uuidString.prefix(8))"
        socketAddress.sun_family = sa_family_t(AF_UNIX)
        let path: [UInt8]
        if abstract {
            path = [0] + Array(name.utf8)
            self.address = "@" + name
        } else {
            let file = FileManager.default.temporaryDirectory.appendingPathComponent(name).path
            path = Array(file.utf8)
            self.address = file
        }
        withUnsafeMutableBytes(of: &socketAddress.sun_path) { $0.copyBytes(from: path) }
        socketAddressLength = socklen_t(MemoryLayout<sa_family_t>.size + path.count + (abstract ? 0 : 1))
        let bound = withUnsafePointer(to: &socketAddress) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socketAddressLength) }
        }
        guard bound == 0 else { throw TimedOut(description: "bind notify socket: errno \(errno)") }
    }

    /// Fills the socket's queue with datagrams nobody will read, as a notify socket whose reader is busy or gone;
    /// returns how many it took (the kernel's limit, `net.unix.max_dgram_qlen`).
    func fill() throws -> Int {
        let sender = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
        guard sender >= 0 else { throw TimedOut(description: "socket: errno \(errno)") }
        defer { close(sender) }
        let connected = withUnsafePointer(to: &socketAddress) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(sender, $0, socketAddressLength) }
        }
        guard connected == 0 else { throw TimedOut(description: "connect to the notify socket: errno \(errno)") }
        var sent = 0
        while send(sender, "FILLER", 6, 0) == 6 { sent += 1 }
        guard errno == EAGAIN else { throw TimedOut(description: "filling the notify socket: errno \(errno)") }
        return sent
    }

    /// The next datagram, or an error after `timeout`.
    func next(timeout: Duration = .seconds(20)) throws -> String {
        var poll = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        guard Glibc.poll(&poll, 1, Int32(timeout.milliseconds)) == 1 else {
            throw TimedOut(description: "no notify message within \(timeout)")
        }
        var buffer = [UInt8](repeating: 0, count: 4096)
        let count = recv(descriptor, &buffer, buffer.count, 0)
        return String(decoding: buffer[0..<max(count, 0)], as: UTF8.self)
    }

    deinit {
        close(descriptor)
        if !address.hasPrefix("@") { unlink(address) }
    }
}
