import Foundation
import TokenWatchCore
import ZeroMQ

/// Asks a daemon's catch-up socket for the alerts since a sequence number, batch after batch, until caught
/// up. What `tail` uses to recover from gaps and reconnects.
public final class CatchupClient {
    private let socket: ZMQSocket

    public init(context: ZMQContext, connect endpoint: String, configure: (ZMQSocket) throws -> Void = { _ in }) throws
    {
        socket = try ZMQSocket(context: context, type: .dealer)
        try configure(socket)
        try socket.setLinger(milliseconds: 0)
        try socket.connect(endpoint)
    }

    public struct Reply: Sendable {
        /// The retained alerts in `seq` order, each read once with its journal line.
        public var alerts: [JournaledAlert]
        /// The oldest and newest seq the daemon still holds.
        public var first: UInt64?
        public var last: UInt64?
        /// The journal's id (`nil` from a daemon that does not send one): another epoch than a cursor's means
        /// another journal, whose `seq` count started again.
        public var epoch: String?

        public var entries: [JournalEntry] { alerts.map(\.entry) }
    }

    /// The newest seq the daemon holds (`nil` when it has published nothing yet, or did not answer).
    public func latest(timeout: Duration = .seconds(5)) throws -> UInt64? {
        try socket.send(frames: [Array(#"{"since":0,"max":1}"#.utf8)])
        guard try socket.waitReadable(timeoutMilliseconds: Int(timeout.components.seconds * 1000)),
            let frames = try socket.receiveMultipart(dontWait: true), let body = frames.last,
            let reply = try? JSONReader.read(String(decoding: body, as: UTF8.self))
        else { return nil }
        return Self.unsigned(reply["last"])
    }

    /// Every retained alert with `seq >= since`, asking in batches; `nil` if the daemon did not answer in time.
    public func fetch(since: UInt64, timeout: Duration = .seconds(5)) throws -> Reply? {
        var next = since
        var all: [JournaledAlert] = []
        var first: UInt64?
        var last: UInt64?
        var epoch: String?
        while true {
            let request = #"{"since":\#(next)}"#
            try socket.send(frames: [Array(request.utf8)])
            guard try socket.waitReadable(timeoutMilliseconds: Int(timeout.components.seconds * 1000)),
                let frames = try socket.receiveMultipart(dontWait: true), let body = frames.last,
                let reply = try? JSONReader.read(String(decoding: body, as: UTF8.self)),
                let nextSeq = Self.unsigned(reply["next"]), case .array(let alerts)? = reply["alerts"]
            else { return nil }
            first = Self.unsigned(reply["first"])
            last = Self.unsigned(reply["last"])
            if case .string(let text)? = reply["epoch"] { epoch = text } else { epoch = nil }
            all += Self.journaled(lines: Self.journalLines(in: body), parsed: alerts)
            if alerts.isEmpty || last.map({ nextSeq > $0 }) ?? true { break }
            next = nextSeq
        }
        return Reply(alerts: all, first: first, last: last, epoch: epoch)
    }

    /// Each line of a reply with its alert, read from the reply's one parse; when the lines and the parsed list
    /// disagree (never from TokenWatch), each line is read on its own.
    static func journaled(lines: [Substring], parsed: [JSONValue]) -> [JournaledAlert] {
        guard lines.count == parsed.count else { return lines.compactMap { JournalEntry.read($0) } }
        return zip(lines, parsed).compactMap { line, object in JournalEntry.read(line, parsed: object) }
    }

    private static func unsigned(_ value: JSONValue?) -> UInt64? {
        guard case .number(let text)? = value else { return nil }
        return UInt64(text)
    }

    /// The journal lines of a reply, byte for byte, so that payloads stay exactly as published. Inside JSON
    /// strings a quote is always escaped, so `,{"seq":` can only be the start of the next line.
    static func journalLines(in body: [UInt8]) -> [Substring] {
        let text = String(decoding: body, as: UTF8.self)
        guard let open = text.range(of: #""alerts":["#), text.hasSuffix("]}") else { return [] }
        let list = text[open.upperBound..<text.index(text.endIndex, offsetBy: -2)]
        guard !list.isEmpty else { return [] }
        var lines: [Substring] = []
        var start = list.startIndex
        var search = list.index(after: start)
        while let boundary = list.range(of: #",{"seq":"#, range: search..<list.endIndex) {
            lines.append(list[start..<boundary.lowerBound])
            start = list.index(after: boundary.lowerBound)
            search = list.index(after: start)
        }
        lines.append(list[start...])
        return lines
    }

    public func close() { socket.close() }
}

@available(*, unavailable)
extension CatchupClient: Sendable {}
