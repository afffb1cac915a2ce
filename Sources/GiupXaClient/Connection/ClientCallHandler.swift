import GiupXaMessages
import GiupXaModels
import GiupXaProtocol
import NIOCore

/// What the client writes into its pipeline.
enum ClientOutbound {
    /// The preamble and HELLO; written but not flushed, so the first call leaves with them.
    case hello(Frame)
    /// A REQUEST frame (its call id is assigned here) and where its answer goes; unflushed
    /// when more calls of the same window follow. `prepared`: its message already went through
    /// `compress(_:allocator:)`, so it is sent as it is.
    case call(Frame, timeout: TimeAmount, promise: EventLoopPromise<Frame>, flush: Bool, prepared: Bool = false)
    /// Flushes a pending HELLO when no call follows it.
    case flushHello
}

/// Matches answers to calls by call id, on the channel's event loop (so it needs no locks),
/// and fails every pending call when the connection ends.
final class ClientCallHandler: ChannelDuplexHandler {
    typealias InboundIn = WireEvent
    typealias OutboundIn = ClientOutbound
    typealias OutboundOut = ByteBuffer

    private var nextCallID: UInt32 = 1
    private var pending: [UInt32: (promise: EventLoopPromise<Frame>, timeout: Scheduled<Void>)] = [:]
    private let helloPromise: EventLoopPromise<Frame>
    private let preamble: Preamble
    private let onCounterFloor: @Sendable (UInt64) -> Void
    private let ended: ConnectionEnd
    /// Set once the connection failed; later calls fail at once with it.
    private var terminalError: RPCError?
    /// A keepalive PING is out and nothing has been read since.
    private var pingOutstanding = false
    /// Compresses REQUEST messages here, in the order they reach the socket, which mode 3's one
    /// stream needs (§9.3). Nil when the caller compresses its frames itself.
    private var compressor: RequestCompressor?
    /// The HELLO's language, for the link's own failures.
    private let language: Language

    init(
        helloPromise: EventLoopPromise<Frame>, preamble: Preamble = Preamble(), compressor: RequestCompressor? = nil,
        onCounterFloor: @escaping @Sendable (UInt64) -> Void = { _ in }, ended: ConnectionEnd = ConnectionEnd(),
        language: Language = .vi
    ) {
        self.ended = ended
        self.language = language
        self.helloPromise = helloPromise
        self.preamble = preamble
        self.compressor = compressor
        self.onCounterFloor = onCounterFloor
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .hello(let frame):
            var buffer = context.channel.allocator.buffer(capacity: Preamble.size + frame.overhead + frame.body.readableBytes)
            preamble.write(to: &buffer)
            frame.write(to: &buffer)
            context.write(wrapOutboundOut(buffer), promise: promise)
        case .flushHello:
            context.flush()
            promise?.succeed()
        case .call(var frame, let timeout, let callPromise, let flush, let prepared):
            if let terminalError {
                callPromise.fail(terminalError)
                promise?.succeed()
                return
            }
            // Call ids must increase; a connection that used them all is retired, not wrapped.
            guard nextCallID < UInt32.max else {
                callPromise.fail(RPCError(code: .unavailable, message: "call ids exhausted; open a new connection"))
                promise?.succeed()
                return
            }
            let id = nextCallID
            nextCallID += 1
            frame.callID = id
            if !prepared { frame = compressed(frame, allocator: context.channel.allocator) }
            // Scheduled on this event loop, so the handler and context are safe to touch there.
            let bound = NIOLoopBound((handler: self, context: context), eventLoop: context.eventLoop)
            let scheduled = context.eventLoop.scheduleTask(in: timeout) {
                bound.value.handler.expire(id, context: bound.value.context)
            }
            pending[id] = (callPromise, scheduled)
            var buffer = context.channel.allocator.buffer(capacity: frame.overhead + frame.body.readableBytes)
            frame.write(to: &buffer)
            if flush {
                context.writeAndFlush(wrapOutboundOut(buffer), promise: promise)
            } else {
                context.write(wrapOutboundOut(buffer), promise: promise)
            }
        }
    }

    /// REQUEST frames with their messages compressed now, as `write` would have at sending
    /// time (on the event loop: the compressor is this handler's state). See
    /// `GiupXaConnection.prepare`.
    func compress(_ frames: [Frame], allocator: ByteBufferAllocator) -> [Frame] {
        frames.map { compressed($0, allocator: allocator) }
    }

    /// A REQUEST whose message is still plain, compressed by this connection's compressor.
    private func compressed(_ frame: Frame, allocator: ByteBufferAllocator) -> Frame {
        guard let compressor, frame.type == .request, frame.flags.compression == .none else { return frame }
        return compressor.compress(frame, allocator: allocator)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        pingOutstanding = false
        guard case .frame(let frame) = unwrapInboundIn(data) else { return }
        switch frame.type {
        case .hello:
            if let compressor, let hello = try? MessageCodec.decode(Giupxa_V1_ServerHello.self, from: frame.body) {
                compressor.serverAnswered(hello)
            }
            helloPromise.succeed(frame)
        case .response, .status:
            if let entry = pending.removeValue(forKey: frame.callID) {
                entry.timeout.cancel()
                entry.promise.succeed(frame)
            }
        case .ping:
            var buffer = context.channel.allocator.buffer(capacity: 2 + frame.body.readableBytes)
            Frame(type: .pong, callID: 0, body: frame.body).write(to: &buffer)
            context.writeAndFlush(wrapOutboundOut(buffer), promise: nil)
        case .goAway:
            let goAway = try? MessageCodec.decode(Giupxa_V1_GoAway.self, from: frame.body)
            if let floor = goAway?.handshakeCounterFloor, floor > 0 { onCounterFloor(floor) }
            let reason = goAway.map { RPCError($0.status) } ?? RPCError(code: .unavailable, message: "server sent GOAWAY")
            ended.record(reason)
            failAll(reason)
            context.close(promise: nil)
        case .pong, .request, .cancel:
            break
        }
    }

    /// Keepalive for links that die silently (a NAT or a base station forgetting the
    /// connection): after a quiet read period with calls waiting, PING; after a second one with
    /// no byte back, give up on the connection so the sync reconnects long before the calls'
    /// deadlines. An idle connection without calls is left alone.
    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard let idle = event as? IdleStateHandler.IdleStateEvent, idle == .read else {
            context.fireUserInboundEventTriggered(event)
            return
        }
        guard !pending.isEmpty else { return }
        if pingOutstanding {
            failAll(RPCError(code: .unavailable, message: language.pick(
                vi: "đường truyền im lặng: không có trả lời cho tín hiệu kiểm tra kết nối", en: "no answer to keepalive: the link is silent")))
            context.close(promise: nil)
            return
        }
        pingOutstanding = true
        var buffer = context.channel.allocator.buffer(capacity: 3)
        Frame(type: .ping, callID: 0, body: ByteBuffer()).write(to: &buffer)
        context.writeAndFlush(wrapOutboundOut(buffer), promise: nil)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // A framing breach by the server is its bug (INTERNAL); anything else here is the
        // link failing (a reset, a broken pipe) and worth retrying (UNAVAILABLE).
        if error is ProtocolViolation {
            failAll(RPCError(code: .internal, message: "protocol error from server: \(error)"))
        } else {
            failAll(RPCError(code: .unavailable, message: LinkFailure.broken(error, language: language)))
        }
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        failAll(RPCError(code: .unavailable, message: language.pick(vi: "kết nối đã đóng", en: "connection closed")))
        context.fireChannelInactive()
    }

    private func expire(_ id: UInt32, context: ChannelHandlerContext) {
        guard let entry = pending.removeValue(forKey: id) else { return }
        entry.promise.fail(RPCError(code: .deadlineExceeded, message: "no answer within the call deadline"))
        // Tell the server to drop the call; it must not answer it any more.
        var buffer = context.channel.allocator.buffer(capacity: 8)
        MessageCodec.cancel(callID: id).write(to: &buffer)
        context.writeAndFlush(wrapOutboundOut(buffer), promise: nil)
    }

    private func failAll(_ error: RPCError) {
        if terminalError == nil { terminalError = error }
        helloPromise.fail(error)
        let calls = pending
        pending.removeAll()
        for (_, entry) in calls {
            entry.timeout.cancel()
            entry.promise.fail(error)
        }
    }
}

/// Counts the bytes that cross the socket in each direction, framing included.
final class ByteCountingHandler: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = ByteBuffer

    let counters: ByteCounters

    init(counters: ByteCounters) {
        self.counters = counters
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        counters.add(received: unwrapInboundIn(data).readableBytes)
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        counters.add(sent: unwrapOutboundIn(data).readableBytes)
        context.write(data, promise: promise)
    }
}
