import Crypto
import GiupXaProtocol
public import GiupXaStorage
public import Logging
import NIOCore
import NIOPosix
public import ServiceLifecycle

/// The GiupXa server: accepts connections, runs one `ServerConnection` per client, and keeps
/// going whatever a single client does. As a `Service` in a `ServiceGroup`, graceful shutdown
/// drains it (no new connections or calls; in-flight calls finish and are answered) and
/// cancellation stops it at once.
public struct GiupXaServer: Service {
    let configuration: ServerConfiguration
    let store: any GiupXaStore
    let key: ServerKey
    let logger: Logger
    let onBound: @Sendable (_ host: String, _ port: Int) async throws -> Void
    let drain = Drain()

    /// `key`: from `ServerKey.prepare`, which checks it against the store. `onBound` is called
    /// with the real address once listening (port 0 becomes a free port).
    public init(
        configuration: ServerConfiguration, store: any GiupXaStore, key: ServerKey, logger: Logger,
        onBound: @escaping @Sendable (_ host: String, _ port: Int) async throws -> Void = { _, _ in }
    ) {
        self.configuration = configuration
        self.store = store
        self.key = key
        self.logger = logger
        self.onBound = onBound
    }

    /// Serves until cancelled, or until graceful shutdown has drained every connection.
    public func run() async throws {
        try await withGracefulShutdownHandler {
            try await run(onBound: onBound)
        } onGracefulShutdown: {
            beginShutdown()
        }
    }

    /// Stops accepting connections and calls; `run` returns once in-flight calls are answered.
    public func beginShutdown() {
        logger.info("draining: no new connections or calls")
        drain.begin()
    }

    /// Binds, calls `onBound` with the real address (port 0 becomes a free port), then serves
    /// until cancelled or drained.
    public func run(onBound: @Sendable (_ host: String, _ port: Int) async throws -> Void) async throws {
        let limits = configuration.limits
        let idle = TimeAmount.seconds(configuration.idleTimeoutSeconds)
        let staticKey = key.privateKey
        let budget = ReceiveBudget(capacity: configuration.partialFrameBudgetBytes)
        let listener = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            // Each connection keeps its last read buffer for the next read. NIO's first is 2 KB
            // and an idle connection never needs more than its HELLO; bigger reads make the
            // buffer grow again (issue 6 d: memory per idle connection).
            .childChannelOption(.recvAllocator, value: AdaptiveRecvByteBufferAllocator(minimum: 64, initial: 256, maximum: 65536))
            .bind(host: configuration.host, port: configuration.port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    let session = SecureSession()
                    let handler = ConnectionHandler(drain: drain, eventLoop: channel.eventLoop)
                    try channel.pipeline.syncOperations.addHandlers([
                        SecureServerHandler(staticKey: staticKey, session: session),
                        ByteToMessageHandler(FrameDecoder(expectPreamble: true, limits: limits, budget: budget)),
                        // After the decoder: only whole frames count as activity.
                        IdleStateHandler(readTimeout: idle),
                        IdleCloseHandler(),
                        MessageToByteHandler(FrameEncoder()),
                        handler,
                    ])
                    return (channel, NIOLoopBound(handler, eventLoop: channel.eventLoop), session)
                }
            }
        drain.setListener(listener.channel)
        let port = listener.channel.localAddress?.port ?? configuration.port
        logger.info("listening", metadata: ["giupxa.host": "\(configuration.host)", "giupxa.port": "\(port)"])
        try await onBound(configuration.host, port)

        let service = VisitService(store: store, limits: limits)
        let rates = RateLimiter(ratePerSecond: configuration.callsPerSecondPerAgency, burst: configuration.callBurstPerAgency)
        let revocations = RevocationWatch()
        // Large calls get at most cores − 1 of the pool's threads, so small calls always find one.
        let heavyCalls = HeavyCallGate(permits: max(1, System.coreCount - 1))
        let watching = Task { [store, logger] in await revocations.run(store: store, logger: logger) }
        defer { watching.cancel() }
        try await withThrowingDiscardingTaskGroup { group in
            let accepting: Result<Void, any Error>
            do {
                try await listener.executeThenClose { inbound in
                    for try await (channel, handler, session) in inbound {
                        switch drain.register(channel, limit: configuration.maxConnections) {
                        case .admitted:
                            break
                        case .draining:
                            channel.close(promise: nil)
                            continue
                        case .full:
                            logger.warning("connection refused: limit reached", metadata: ["giupxa.limit": "\(configuration.maxConnections)"])
                            let status = RPCError(code: .resourceExhausted, message: "server is at its connection limit, retry later").status
                            channel.writeAndFlush(MessageCodec.goAway(status: status, lastCallID: 0)).whenComplete { _ in
                                channel.close(promise: nil)
                            }
                            continue
                        }
                        group.addTask {
                            // The handshake's task; the connection catches its own errors, so one
                            // bad client cannot stop the server.
                            await ServerConnection(
                                channel: channel, handler: handler, session: session, service: service, store: store,
                                configuration: configuration, logger: logger, drain: drain, rates: rates,
                                revocations: revocations, serverPublicKey: key.publicKey, heavyCalls: heavyCalls
                            ).run()
                        }
                    }
                }
                accepting = .success(())
            } catch {
                accepting = .failure(error)
            }
            // Served connections hold no task for this group to wait for: wait for them here.
            // Cancelled, stop at once (connections close, their calls are cancelled).
            await withTaskCancellationHandler {
                await drain.allClosed()
            } onCancel: {
                drain.abort()
            }
            try accepting.get()
        }
    }
}

/// Closes a connection whose peer has sent nothing for the idle timeout.
final class IdleCloseHandler: ChannelInboundHandler, Sendable {
    typealias InboundIn = WireEvent

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is IdleStateHandler.IdleStateEvent {
            context.close(promise: nil)
        } else {
            context.fireUserInboundEventTriggered(event)
        }
    }
}
