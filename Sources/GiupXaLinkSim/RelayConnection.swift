import NIOCore
import NIOPosix

/// Which socket of a relayed connection: the accepted client or the upstream we dialled.
enum Side {
    case client, upstream

    var other: Side { self == .client ? .upstream : .client }
}

/// Chunks read from one side, each waiting for its arrival time before being written to
/// the other side. One FIFO and one timer per direction keep bytes in order whatever
/// the jitter does.
final class ShapedDirection {
    var clock: ShapingClock
    /// A nil buffer marks end of stream: close the far side once everything before it arrived.
    var queue = CircularBuffer<(buffer: ByteBuffer?, at: NIODeadline)>()
    var queuedBytes = 0
    var timer: Scheduled<Void>?

    init(clock: ShapingClock) { self.clock = clock }

    func reset() {
        timer?.cancel()
        timer = nil
        queue.removeAll()
        queuedBytes = 0
    }
}

/// Both halves of one proxied connection. Both sockets live on the same event loop (the
/// upstream is dialled from the client's loop), so this state needs no locks: every
/// method runs on `eventLoop`.
final class RelayConnection {
    /// Large reads are split so a slow link delivers smoothly instead of in bursts.
    static let chunkSize = 512
    /// Stop reading a side once this much is queued for its direction (a modem's buffer).
    static let maxQueuedBytes = 32 * 1024

    let id: Int
    let eventLoop: any EventLoop
    let stats: LinkStats
    let cutAfter: Int?
    let upstreamHost: String
    let upstreamPort: Int
    let onFinished: @Sendable (_ finishedCount: Int) -> Void
    var client: RelayHandler?
    var upstream: RelayHandler?
    let up: ShapedDirection
    let down: ShapedDirection
    var crossed = 0
    var isCut = false
    var clientClosed = false
    var upstreamClosed = false
    var finished = false

    init(
        id: Int, eventLoop: any EventLoop, stats: LinkStats, cutAfter: Int?, upstreamHost: String, upstreamPort: Int,
        onFinished: @escaping @Sendable (Int) -> Void
    ) {
        self.id = id
        self.eventLoop = eventLoop
        self.stats = stats
        self.cutAfter = cutAfter
        self.upstreamHost = upstreamHost
        self.upstreamPort = upstreamPort
        self.onFinished = onFinished
        let profile = stats.settings
        let now = NIODeadline.now()
        let base = UInt64(id) &* 2
        // The TCP handshake the proxy cannot delay (the client's connect completes on loopback)
        // is charged to the client's first byte: one round trip.
        let handshake = TimeAmount.milliseconds(Int64(2 * profile.delayMs))
        up = ShapedDirection(clock: ShapingClock(
            kbps: profile.upKbps, profile: profile, origin: now, generator: .stream(stats.seed, base), idleUntil: now + handshake))
        down = ShapedDirection(clock: ShapingClock(
            kbps: profile.downKbps, profile: profile, origin: now, generator: .stream(stats.seed, base + 1)))
    }

    func handler(_ side: Side) -> RelayHandler? { side == .client ? client : upstream }
    /// The direction carrying bytes read from `side`.
    func direction(from side: Side) -> ShapedDirection { side == .client ? up : down }
    func isClosed(_ side: Side) -> Bool { side == .client ? clientClosed : upstreamClosed }

    /// Dials the upstream once the client socket is active (a loopback connect can finish
    /// at once, and reads requested before the client is active would be lost). Uses the
    /// client's event loop so both sockets share one thread.
    func dialUpstream() {
        let bound = NIOLoopBound(self, eventLoop: eventLoop)
        ClientBootstrap(group: eventLoop)
            .connectTimeout(.seconds(10))
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelOption(.autoRead, value: false)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(RelayHandler(side: .upstream, connection: bound.value))
                }
            }
            .connect(host: upstreamHost, port: upstreamPort)
            .whenFailure { _ in bound.value.upstreamFailed() }
    }

    /// The upstream socket connected: start pulling bytes from both sides.
    func upstreamActive() {
        if clientClosed {
            upstream?.closeAfterWrites()
            return
        }
        requestRead(from: .client)
        requestRead(from: .upstream)
    }

    func upstreamFailed() {
        upstreamClosed = true
        client?.closeAfterWrites()
        checkFinished()
    }

    func received(_ buffer: inout ByteBuffer, from side: Side) {
        guard !isCut else { return }
        let direction = direction(from: side)
        let now = NIODeadline.now()
        while buffer.readableBytes > 0, !isCut {
            let chunk = buffer.readSlice(length: min(Self.chunkSize, buffer.readableBytes))!
            if direction.clock.isTransparent && direction.queue.isEmpty {
                deliver(chunk, from: side)
            } else {
                direction.queue.append((chunk, direction.clock.arrival(bytes: chunk.readableBytes, readAt: now)))
                direction.queuedBytes += chunk.readableBytes
            }
        }
        armTimer(from: side)
    }

    /// Pull more from `side` only while its direction has room and the far socket keeps up.
    func requestRead(from side: Side) {
        guard !isCut, !isClosed(side), direction(from: side).queuedBytes < Self.maxQueuedBytes,
            handler(side.other)?.isWritable ?? false
        else { return }
        handler(side)?.read()
    }

    func closed(_ side: Side) {
        guard !isClosed(side) else { return }
        if side == .client { clientClosed = true } else { upstreamClosed = true }
        if !isCut {
            // Let what is already on the wire arrive, then pass the close on.
            let direction = direction(from: side)
            if direction.queue.isEmpty {
                handler(side.other)?.closeAfterWrites()
            } else {
                direction.queue.append((nil, direction.queue.last!.at))
            }
        }
        checkFinished()
    }

    private func armTimer(from side: Side) {
        let direction = direction(from: side)
        guard direction.timer == nil, let head = direction.queue.first else { return }
        direction.timer = eventLoop.assumeIsolated().scheduleTask(deadline: head.at) {
            self.fire(from: side)
        }
    }

    private func fire(from side: Side) {
        let direction = direction(from: side)
        direction.timer = nil
        let now = NIODeadline.now()
        while !isCut, let head = direction.queue.first, head.at <= now {
            direction.queue.removeFirst()
            if let buffer = head.buffer {
                direction.queuedBytes -= buffer.readableBytes
                deliver(buffer, from: side)
            } else {
                handler(side.other)?.closeAfterWrites()
            }
        }
        armTimer(from: side)
        requestRead(from: side)
    }

    /// Writes a chunk to the far side, counting it, and cuts the connection when the
    /// budget runs out (the chunk is trimmed so exactly `cutAfter` bytes cross).
    private func deliver(_ chunk: ByteBuffer, from side: Side) {
        var chunk = chunk
        var cutNow = false
        if let cutAfter, chunk.readableBytes >= cutAfter - crossed {
            chunk = chunk.getSlice(at: chunk.readerIndex, length: cutAfter - crossed)!
            cutNow = true
        }
        crossed += chunk.readableBytes
        stats.delivered(chunk.readableBytes, upstream: side == .client, connection: id)
        if chunk.readableBytes > 0 { handler(side.other)?.write(chunk) }
        if cutNow { cut() }
    }

    private func cut() {
        isCut = true
        stats.cut(connection: id)
        up.reset()
        down.reset()
        client?.closeAfterWrites()
        upstream?.closeAfterWrites()
    }

    private func checkFinished() {
        guard clientClosed, upstreamClosed, !finished else { return }
        finished = true
        up.reset()
        down.reset()
        onFinished(stats.finish(connection: id))
    }
}

/// Sits in each of the two pipelines and forwards events to the shared `RelayConnection`.
/// Reads are manual (autoRead off) so a slow simulated link pushes back on the sender.
final class RelayHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    let side: Side
    let connection: RelayConnection
    private var context: ChannelHandlerContext?
    private var lastWrite: EventLoopFuture<Void>?

    init(side: Side, connection: RelayConnection) {
        self.side = side
        self.connection = connection
    }

    var isWritable: Bool { context?.channel.isWritable ?? false }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        if side == .client { connection.client = self } else { connection.upstream = self }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }

    func channelActive(context: ChannelHandlerContext) {
        context.fireChannelActive()
        if side == .client { connection.dialUpstream() } else { connection.upstreamActive() }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var buffer = unwrapInboundIn(data)
        connection.received(&buffer, from: side)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        connection.requestRead(from: side)
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        // This socket drained: the other side may read again.
        connection.requestRead(from: side.other)
        context.fireChannelWritabilityChanged()
    }

    func channelInactive(context: ChannelHandlerContext) {
        connection.closed(side)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // Resets and the like end the connection; the far side is closed via channelInactive.
        context.close(promise: nil)
    }

    func write(_ buffer: ByteBuffer) {
        guard let context else { return }
        lastWrite = context.writeAndFlush(wrapOutboundOut(buffer))
    }

    func read() {
        context?.read()
    }

    /// Closing straight away could drop writes still in the socket queue.
    func closeAfterWrites() {
        guard let context else { return }
        let channel = context.channel
        if let lastWrite {
            lastWrite.whenComplete { _ in channel.close(promise: nil) }
        } else {
            channel.close(promise: nil)
        }
    }
}
