import Foundation
import GiupXaLinkSim
import NIOCore
import NIOPosix

/// Echoes every byte back: the upstream for relay tests.
final class EchoHandler: ChannelInboundHandler, Sendable {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        context.writeAndFlush(data, promise: nil)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}

/// A loopback echo server on a free port; close it when done.
func startEchoServer() async throws -> any Channel {
    try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
        .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
        .childChannelInitializer { channel in
            channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(EchoHandler()) }
        }
        .bind(host: "127.0.0.1", port: 0)
        .get()
}

struct Exchange: Sendable {
    var received: [UInt8]
    var seconds: Double
}

/// Connects to `port`, sends `payload`, and reads until `expect` bytes arrived or the
/// connection closed (a reset from a cut counts as closed).
func roundTrip(port: Int, payload: [UInt8], expect: Int) async throws -> Exchange {
    let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
        .connect(host: "127.0.0.1", port: port) { channel in
            channel.eventLoop.makeCompletedFuture {
                try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
            }
        }
    let start = ContinuousClock.now
    var received: [UInt8] = []
    try await channel.executeThenClose { inbound, outbound in
        try await outbound.write(ByteBuffer(bytes: payload))
        do {
            for try await buffer in inbound {
                received += buffer.readableBytesView
                if received.count >= expect { break }
            }
        } catch {
            // Closed by reset: what arrived before it is what we check.
        }
    }
    let elapsed = ContinuousClock.now - start
    let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    return Exchange(received: received, seconds: seconds)
}

/// Runs a simulator in front of an echo server, hands its port to `body`, and waits for
/// it to stop after `maxConnections` connections finished.
func withSimulator(
    profile: LinkProfile, maxConnections: Int = 1, _ body: @Sendable @escaping (Int) async throws -> Exchange
) async throws -> (Exchange, LinkSummary) {
    let echo = try await startEchoServer()
    defer { echo.close(promise: nil) }
    let simulator = LinkSimulator(
        upstreamHost: "127.0.0.1", upstreamPort: echo.localAddress!.port!, profile: profile, seed: 42,
        maxConnections: maxConnections)
    let (ports, portSink) = AsyncStream.makeStream(of: Int.self)
    let result = try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask {
            try await simulator.run { port in portSink.yield(port) }
        }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else { throw CancellationError() }
        let value = try await body(port)
        // The simulator stops by itself once the connections finished.
        try await group.waitForAll()
        return value
    }
    return (result, simulator.stats.summary())
}

func pattern(_ count: Int) -> [UInt8] {
    (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
}
