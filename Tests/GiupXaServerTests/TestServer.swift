import Foundation
import GiupXaClient
import GiupXaModels
import GiupXaProtocol
import GiupXaServer
import GiupXaStorage
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import Testing

/// The real server, in-process on a free loopback port, over a fresh database with the
/// default data and a credential for STNMT.
final class TestServer: Sendable {
    let store: SQLiteStore
    let port: Int
    let secret: String
    let configuration: ServerConfiguration
    private let task: Task<Void, any Error>
    private let server: GiupXaServer

    static func start(
        host: String = "127.0.0.1", limits: ProtocolLimits = .default, handshakeTimeout: Int64 = 15, idleTimeout: Int64 = 20,
        maxConnections: Int = 1000, rate: Double = 1000, burst: Double = 1000, allowPlaintext: Bool = false,
        logger: Logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }),
        serving: (@Sendable (SQLiteStore) -> any GiupXaStore)? = nil
    ) async throws -> TestServer {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("giupxa-srv-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let store = try SQLiteStore(path: directory.appendingPathComponent("s.sqlite").path)
        _ = try await store.loadDefaultData()
        let key = try await ServerKey.prepare(store: store, path: directory.appendingPathComponent("server.key").path)
        let secret = try await CredentialIssuer(store: store).issue(for: .agency(code: "STNMT"), replacing: false).text
        let configuration = ServerConfiguration(
            host: host, port: 0, limits: limits, handshakeTimeoutSeconds: handshakeTimeout, idleTimeoutSeconds: idleTimeout,
            maxConnections: maxConnections, callsPerSecondPerAgency: rate, callBurstPerAgency: burst, allowPlaintext: allowPlaintext)
        // The server may see the store through a wrapper (FaultyStore); tests read the real one.
        let server = GiupXaServer(configuration: configuration, store: serving?(store) ?? store, key: key, logger: logger)
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let task = Task {
            try await server.run { _, port in continuation.yield(port) }
        }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else { throw CancellationError() }
        return TestServer(store: store, port: port, secret: secret, configuration: configuration, task: task, server: server)
    }

    private init(
        store: SQLiteStore, port: Int, secret: String, configuration: ServerConfiguration, task: Task<Void, any Error>, server: GiupXaServer
    ) {
        self.store = store
        self.port = port
        self.secret = secret
        self.configuration = configuration
        self.task = task
        self.server = server
    }

    /// Graceful shutdown, as SIGTERM starts it: no new connections or calls, running calls answered.
    func drain() {
        server.beginShutdown()
    }

    func stop() {
        task.cancel()
    }
}

/// Sends raw bytes and collects what comes back until `done` says so, the server closes, or
/// the time is up: for inputs no real client would send.
enum RawClient {
    struct Exchange {
        var frames: [Frame]
        var closed: Bool
        var undecodable: Bool
    }

    static func exchange(
        host: String = "127.0.0.1", port: Int, bytes: [UInt8], wait: Duration = .seconds(3),
        decode: @escaping @Sendable ([UInt8]) -> (frames: [Frame], undecodable: Bool) = RawClient.decode,
        done: @escaping @Sendable ([Frame]) -> Bool
    ) async throws -> Exchange {
        let collector = Collector()
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(collector) }
            }
            .connect(host: host, port: port).get()
        try await channel.writeAndFlush(ByteBuffer(bytes: bytes))
        let deadline = ContinuousClock.now + wait
        while ContinuousClock.now < deadline {
            let (received, closed) = collector.snapshot()
            let decoded = decode(received)
            if closed || done(decoded.frames) {
                try? await channel.close()
                return Exchange(frames: decoded.frames, closed: closed, undecodable: decoded.undecodable)
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        let (received, closed) = collector.snapshot()
        try? await channel.close()
        let decoded = decode(received)
        return Exchange(frames: decoded.frames, closed: closed, undecodable: decoded.undecodable)
    }

    static func decode(_ bytes: [UInt8]) -> (frames: [Frame], undecodable: Bool) {
        var decoder = FrameDecoder(expectPreamble: false)
        var buffer = ByteBuffer(bytes: bytes)
        var frames: [Frame] = []
        do {
            while let event = try decoder.decode(buffer: &buffer) {
                if case .frame(let frame) = event { frames.append(frame) }
            }
        } catch {
            return (frames, true)
        }
        return (frames, false)
    }

    final class Collector: ChannelInboundHandler, Sendable {
        typealias InboundIn = ByteBuffer
        private let state = NIOLockedValueBox<(bytes: [UInt8], closed: Bool)>(([], false))

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let buffer = unwrapInboundIn(data)
            state.withLockedValue { $0.bytes += buffer.readableBytesView }
        }

        func channelInactive(context: ChannelHandlerContext) {
            state.withLockedValue { $0.closed = true }
        }

        func errorCaught(context: ChannelHandlerContext, error: any Error) {
            context.close(promise: nil)
        }

        func snapshot() -> ([UInt8], Bool) { state.withLockedValue { ($0.bytes, $0.closed) } }
    }
}
