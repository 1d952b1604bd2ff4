import Foundation
import ZeroMQ

/// Answers "alerts since seq N" on a ROUTER socket from the ``AlertJournal``, in bounded batches.
///
/// Request: one frame, `{"since": N, "max": M}` (`max` optional, capped by `catchup.max_batch`), from a DEALER
/// or a REQ socket (whose empty delimiter frame is echoed). Reply: one frame,
/// `{"first": F, "last": L, "next": X, "epoch": E, "alerts": [journal lines]}`, where `first` and `last` are the
/// oldest and newest retained seq (or null), `next` is where to ask again (the client has caught up when
/// `next > last`), and `epoch` names the journal (``JournalEpoch``): a client whose cursor was taken in
/// another epoch starts from `first` again.
/// Lives on the pipeline thread, which polls its socket between batches.
final class CatchupResponder {
    private let socket: ZMQSocket
    private let maxBatch: Int
    /// Requests answered with an error (malformed, or `since` not a valid sequence number).
    private(set) var refused: UInt64 = 0

    init(context: ZMQContext, endpoint: String, maxBatch: Int, configure: (ZMQSocket) throws -> Void = { _ in }) throws
    {
        socket = try ZMQSocket(context: context, type: .router)
        try configure(socket)
        try socket.setLinger(milliseconds: 0)
        try socket.setMaxMessageSize(4096)
        try socket.bind(endpoint)
        self.maxBatch = maxBatch
    }

    var pollable: ZMQSocket { socket }
    var boundEndpoint: String { (try? socket.lastEndpoint) ?? "?" }

    /// Answers every waiting request; returns how many.
    @discardableResult
    func answerPending(from journal: AlertJournal) throws -> Int {
        var answered = 0
        while let frames = try socket.receiveMultipart(dontWait: true) {
            guard frames.count >= 2 else { continue }
            let identity = frames[0]
            let hasDelimiter = frames.count >= 3 && frames[1].isEmpty
            let body = frames[hasDelimiter ? 2 : 1]
            let reply = Self.reply(to: body, journal: journal, maxBatch: maxBatch)
            if reply == Self.refusal { refused += 1 }
            _ = try socket.send(frames: [identity] + (hasDelimiter ? [[]] : []) + [Array(reply.utf8)], dontWait: true)
            answered += 1
        }
        return answered
    }

    static func reply(to body: [UInt8], journal: AlertJournal, maxBatch: Int) -> String {
        // JSONDecoder rather than JSONSerialization: it refuses a fractional, huge, boolean or string `since`,
        // which an NSNumber would convert (-1 became 2^64 - 1).
        guard let request = try? JSONDecoder().decode(Request.self, from: Data(body)), request.since >= 0 else {
            return refusal
        }
        let since = UInt64(request.since)
        let limit = min(max(request.max ?? maxBatch, 1), maxBatch)
        let (entries, first, last) = journal.entries(since: since, limit: limit)
        let next = entries.last.map { $0.seq + 1 } ?? max(since, last.map { $0 + 1 } ?? since)
        let lines = entries.map(\.line).joined(separator: ",")
        return
            #"{"first":\#(first.map(String.init) ?? "null"),"last":\#(last.map(String.init) ?? "null"),"next":\#(next),"epoch":"\#(journal.epoch)","alerts":[\#(lines)]}"#
    }

    /// What a malformed request gets; counted in ``refused``.
    static let refusal = #"{"error":"expected {\"since\": N, \"max\": M} with N an integer from 0 to 2^63-1"}"#

    private struct Request: Decodable {
        var since: Int64
        var max: Int?
    }

    /// Reports the socket's failed security handshakes on `endpoint` (see ``HandshakeMonitor``).
    func startHandshakeMonitor(on endpoint: String) throws {
        try socket.startMonitor(on: endpoint, events: ZMQMonitorEvent.handshakeFailures)
    }

    func close() { socket.close() }
}

@available(*, unavailable)
extension CatchupResponder: Sendable {}
