import NIOCore
import NIOHTTP1

/// One connection's request in progress, seen from both ends of its pipeline: the first byte of a request
/// (``firstByte``, before the HTTP decoder) starts the deadline, its last part (``lastPart``, after it) ends
/// the deadline and counts as a request served. A sender that trickles a request a byte at a time never sends
/// its last part, and is closed when the deadline passes; the idle timeout alone would never fire for it.
final class RequestWatch {
    let firstByte: FirstByte
    let lastPart: LastPart

    init(timeout: TimeAmount?, served: @escaping () -> Void) {
        let deadline = Deadline(timeout: timeout)
        firstByte = FirstByte(deadline)
        lastPart = LastPart(deadline, served: served)
    }

    /// Shared by the two handlers, on the connection's event loop.
    final class Deadline {
        let timeout: TimeAmount?
        var scheduled: Scheduled<Void>?

        init(timeout: TimeAmount?) { self.timeout = timeout }

        func start(_ context: ChannelHandlerContext) {
            guard let timeout, scheduled == nil else { return }
            let channel = context.channel
            scheduled = context.eventLoop.scheduleTask(in: timeout) { channel.close(promise: nil) }
        }

        func end() {
            scheduled?.cancel()
            scheduled = nil
        }
    }

    final class FirstByte: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        private let deadline: Deadline

        init(_ deadline: Deadline) { self.deadline = deadline }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            deadline.start(context)
            context.fireChannelRead(data)
        }

        func channelInactive(context: ChannelHandlerContext) {
            deadline.end()
            context.fireChannelInactive()
        }
    }

    final class LastPart: ChannelInboundHandler {
        typealias InboundIn = HTTPServerRequestPart
        private let deadline: Deadline
        private let served: () -> Void

        init(_ deadline: Deadline, served: @escaping () -> Void) {
            self.deadline = deadline
            self.served = served
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            if case .end = unwrapInboundIn(data) {
                deadline.end()
                served()
            }
            context.fireChannelRead(data)
        }
    }
}

@available(*, unavailable) extension RequestWatch: Sendable {}
