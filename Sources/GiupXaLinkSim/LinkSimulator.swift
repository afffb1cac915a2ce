import NIOCore
import NIOPosix
import Synchronization

/// A TCP proxy that makes a fast loopback behave like a 2G or satellite link: for every
/// accepted connection it dials the upstream and relays bytes both ways through the
/// shaping described by `profile`.
public struct LinkSimulator: Sendable {
    public let listenHost: String
    public let listenPort: Int
    public let upstreamHost: String
    public let upstreamPort: Int
    public let profile: LinkProfile
    public let seed: UInt64
    /// Stop once this many connections have finished (nil: run until cancelled).
    public let maxConnections: Int?
    /// Live counters; read them during or after `run`.
    public let stats: LinkStats

    public init(
        listenHost: String = "127.0.0.1", listenPort: Int = 0, upstreamHost: String, upstreamPort: Int,
        profile: LinkProfile = .none, seed: UInt64 = 0, maxConnections: Int? = nil
    ) {
        self.listenHost = listenHost
        self.listenPort = listenPort
        self.upstreamHost = upstreamHost
        self.upstreamPort = upstreamPort
        self.profile = profile
        self.seed = seed
        self.maxConnections = maxConnections
        self.stats = LinkStats(settings: profile, seed: seed)
    }

    /// Binds, calls `onBound` with the real port (port 0 becomes a free port), then relays
    /// until the task is cancelled or `maxConnections` connections have finished. Returns
    /// normally in both cases so the caller can write the summary.
    public func run(onBound: @Sendable (_ port: Int) async throws -> Void = { _ in }) async throws {
        try profile.validate()
        let group = MultiThreadedEventLoopGroup.singleton
        let stop = StopSignal(promise: group.any().makePromise(of: Void.self))
        let live = LiveChannels()
        let (stats, profile, maxConnections) = (self.stats, self.profile, self.maxConnections)
        let (upstreamHost, upstreamPort) = (self.upstreamHost, self.upstreamPort)

        let server = try await ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelOption(.autoRead, value: false)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let id = stats.open { cutOffset(connection: $0, profile: profile) }
                    live.add(id, channel)
                    let connection = RelayConnection(
                        id: id, eventLoop: channel.eventLoop, stats: stats, cutAfter: stats.connection(id)?.cutAfterBytes,
                        upstreamHost: upstreamHost, upstreamPort: upstreamPort
                    ) { finishedCount in
                        live.remove(id)
                        if finishedCount == maxConnections { stop.fire() }
                    }
                    try channel.pipeline.syncOperations.addHandler(RelayHandler(side: .client, connection: connection))
                }
            }
            .bind(host: listenHost, port: listenPort)
            .get()
        stop.promise.futureResult.whenComplete { _ in server.close(promise: nil) }
        defer {
            stop.fire()
            live.closeAll()
        }

        try await onBound(server.localAddress?.port ?? listenPort)
        try await withTaskCancellationHandler {
            try await server.closeFuture.get()
        } onCancel: {
            server.close(promise: nil)
        }
    }
}

/// Completes the stop promise exactly once (NIO traps on a promise completed twice or leaked).
final class StopSignal: Sendable {
    let promise: EventLoopPromise<Void>
    private let fired = Mutex(false)

    init(promise: EventLoopPromise<Void>) { self.promise = promise }

    func fire() {
        let first = fired.withLock { fired in
            defer { fired = true }
            return !fired
        }
        if first { promise.succeed(()) }
    }
}

/// Accepted sockets still open, so shutdown can close them rather than leak them.
final class LiveChannels: Sendable {
    private let channels = Mutex<[Int: any Channel]>([:])

    func add(_ id: Int, _ channel: any Channel) { channels.withLock { $0[id] = channel } }
    func remove(_ id: Int) { _ = channels.withLock { $0.removeValue(forKey: id) } }

    func closeAll() {
        for channel in channels.withLock({ $0.values }) { channel.close(promise: nil) }
    }
}
