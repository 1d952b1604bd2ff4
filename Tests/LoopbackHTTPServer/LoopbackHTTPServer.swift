import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// A small HTTP/1.1 server on 127.0.0.1 for tests of `forward`'s receivers, written on POSIX sockets so that it
/// shares nothing with the HTTP stack under test. It listens on a port the kernel hands out (no collisions
/// with tests running beside it), records every request and answers each as `respond` says, including the
/// misbehaviours a receiver can show: a head and then nothing, a redirect.
public final class LoopbackHTTPServer: Sendable {
    public struct Request: Sendable {
        public var method: String
        public var path: String
        /// Header names in lower case.
        public var headers: [String: String]
        public var body: [UInt8]
    }

    public enum Reply: Sendable {
        case answer(status: Int, headers: [(String, String)] = [], body: String = "")
        /// Sends the status line and headers announcing `contentLength` body bytes, then nothing until the server
        /// is closed.
        case stallAfterHead(contentLength: Int)
    }

    public let port: Int
    private let listener: Int32
    private let recorded = Mutex<[Request]>([])
    private let stopped = Atomic<Bool>(false)
    private let respond: @Sendable (Request) -> Reply

    public init(respond: @escaping @Sendable (Request) -> Reply) throws {
        self.respond = respond
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        inet_pton(AF_INET, "127.0.0.1", &address.sin_addr)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, length) == 0 && listen(descriptor, 64) == 0
                    && getsockname(descriptor, $0, &length) == 0
            }
        }
        guard bound else {
            Glibc.close(descriptor)
            throw ServerError(description: "cannot listen on 127.0.0.1: errno \(errno)")
        }
        listener = descriptor
        port = Int(UInt16(bigEndian: address.sin_port))
        let thread = Thread { [self] in acceptLoop() }
        thread.name = "loopback-http-accept"
        thread.start()
    }

    /// `http://127.0.0.1:PORT`.
    public var url: String { "http://127.0.0.1:\(port)" }

    /// Every request received so far, in order.
    public var requests: [Request] { recorded.withLock { $0 } }

    /// Stops accepting and releases stalled connections. The accepting thread closes the listening socket
    /// itself once it has stopped polling it: closed here, its number could be reused by another test's file
    /// before that thread's next poll or accept.
    public func close() {
        stopped.store(true, ordering: .relaxed)
    }

    private func acceptLoop() {
        defer { Glibc.close(listener) }
        while !stopped.load(ordering: .relaxed) {
            var poll = pollfd(fd: listener, events: Int16(POLLIN), revents: 0)
            guard Glibc.poll(&poll, 1, 50) == 1 else { continue }
            let connection = accept(listener, nil, nil)
            guard connection >= 0 else { continue }
            let thread = Thread { [self] in
                serve(connection)
                Glibc.close(connection)
            }
            thread.start()
        }
    }

    /// Answers requests on one connection until the client closes it (clients keep connections alive).
    private func serve(_ connection: Int32) {
        var buffer: [UInt8] = []
        while let request = read(from: connection, buffer: &buffer) {
            recorded.withLock { $0.append(request) }
            switch respond(request) {
            case .answer(let status, let headers, let body):
                var head = "HTTP/1.1 \(status) Test\r\nContent-Length: \(body.utf8.count)\r\n"
                for (name, value) in headers { head += "\(name): \(value)\r\n" }
                write(Array((head + "\r\n" + body).utf8), to: connection)
            case .stallAfterHead(let contentLength):
                write(Array("HTTP/1.1 200 OK\r\nContent-Length: \(contentLength)\r\n\r\n".utf8), to: connection)
                while !stopped.load(ordering: .relaxed) { Thread.sleep(forTimeInterval: 0.05) }
                return
            }
        }
    }

    private func read(from connection: Int32, buffer: inout [UInt8]) -> Request? {
        let separator: [UInt8] = Array("\r\n\r\n".utf8)
        var headEnd: Int?
        while true {
            if headEnd == nil, let end = Self.find(separator, in: buffer) { headEnd = end }
            if let end = headEnd {
                let head = String(decoding: buffer[..<end], as: UTF8.self).components(separatedBy: "\r\n")
                var headers: [String: String] = [:]
                for line in head.dropFirst() {
                    guard let colon = line.firstIndex(of: ":") else { continue }
                    headers[line[..<colon].lowercased()] = line[line.index(after: colon)...]
                        .trimmingCharacters(in: .whitespaces)
                }
                let length = Int(headers["content-length"] ?? "0") ?? 0
                let bodyStart = end + separator.count
                if buffer.count >= bodyStart + length {
                    let words = head[0].split(separator: " ")
                    let request = Request(
                        method: words.first.map(String.init) ?? "",
                        path: words.dropFirst().first.map(String.init) ?? "",
                        headers: headers, body: Array(buffer[bodyStart..<(bodyStart + length)]))
                    buffer.removeFirst(bodyStart + length)
                    return request
                }
            }
            var chunk = [UInt8](repeating: 0, count: 65536)
            let count = recv(connection, &chunk, chunk.count, 0)
            guard count > 0 else { return nil }
            buffer += chunk[0..<count]
        }
    }

    private func write(_ bytes: [UInt8], to connection: Int32) {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes {
                send(connection, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
            }
            guard sent > 0 else { return }
            offset += sent
        }
    }

    private static func find(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        for start in 0...(haystack.count - needle.count)
        where haystack[start..<(start + needle.count)].elementsEqual(needle) {
            return start
        }
        return nil
    }
}

public struct ServerError: Error, CustomStringConvertible {
    public var description: String
}

/// Polls `condition` until it holds or `timeout` passes: a deadline, never a bare sleep.
public func waitFor(_ what: String, timeout: Duration, _ condition: () throws -> Bool) throws {
    let deadline = ContinuousClock.now + timeout
    while try !condition() {
        guard ContinuousClock.now < deadline else { throw ServerError(description: "timed out waiting for \(what)") }
        Thread.sleep(forTimeInterval: 0.01)
    }
}
