import Foundation
import GiupXaClient
import GiupXaMessages
import GiupXaModels
import GiupXaProtocol
import NIOCore
import NIOPosix
import Testing

/// Limits that protect the server from clients that are slow, greedy or too many.
@Suite struct LimitTests {
    @Test(.timeLimit(.minutes(1)))
    func aClientTricklingOneByteAtATimeIsDropped() async throws {
        let server = try await TestServer.start(idleTimeout: 2)
        defer { server.stop() }
        var hello = Giupxa_V1_ClientHello()
        hello.credential.agencyCode = "STNMT"
        hello.credential.secret = server.secret
        var handshake = ByteBuffer(bytes: BadInputTableTests.preamble)
        MessageCodec.clientHello(hello).write(to: &handshake)
        // A test process stalled past the 2 s timeout between connecting and writing the HELLO
        // (CI's two cores, every suite at once) is rightly dropped before it can trickle: reconnect.
        var attempt = 0
        var connected: (any Channel, RawClient.Collector)?
        while connected == nil {
            attempt += 1
            let collector = RawClient.Collector()
            let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .channelInitializer { channel in channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(collector) } }
                .connect(host: "127.0.0.1", port: server.port).get()
            do {
                try await channel.writeAndFlush(handshake)
                connected = (channel, collector)
            } catch where attempt < 3 {
                continue
            }
        }
        let (channel, collector) = connected!
        // A 1 KiB request sent one byte every 300 ms: bytes keep coming, frames never do.
        var request = ByteBuffer()
        MessageCodec.request(callID: 1, method: .listVisits, message: Giupxa_V1_ListVisitsRequest(), compress: false).write(to: &request)
        let started = ContinuousClock.now
        var sent = 0
        while !collector.snapshot().1, ContinuousClock.now - started < .seconds(15) {
            try? await channel.writeAndFlush(ByteBuffer(bytes: [request.getInteger(at: sent % request.readableBytes, as: UInt8.self)!]))
            sent += 1
            try await Task.sleep(for: .milliseconds(300))
        }
        let elapsed = ContinuousClock.now - started
        #expect(collector.snapshot().1, "still open after \(elapsed)")
        #expect(elapsed < .seconds(6), "dropped after \(elapsed)")
        print("trickling client dropped after \(elapsed), \(sent) bytes")
        #expect(try await TestServer.Good(port: server.port, secret: server.secret).servesAGoodClient())
    }

    @Test func anAgencyAboveItsCallRateIsSlowedDown() async throws {
        let server = try await TestServer.start(rate: 1, burst: 3)
        defer { server.stop() }
        let client = try AgencyClient(host: "127.0.0.1", port: server.port, agencyCode: "STNMT", secret: server.secret, language: .en)
        let connection = try await client.connect()
        defer { Task { await connection.close() } }
        var refused = 0
        for _ in 0..<6 {
            do {
                _ = try await connection.call(.listAssignments, Giupxa_V1_ListAssignmentsRequest(), as: Giupxa_V1_ListAssignmentsResponse.self)
            } catch let error as RPCError {
                #expect(error.code == .resourceExhausted)
                #expect(error.message.contains("Too many calls"))
                refused += 1
            }
        }
        #expect(refused >= 2, "refused \(refused) of 6 at 1 call/s with a burst of 3")
    }

    @Test func connectionsAboveTheLimitAreRefusedWithAReason() async throws {
        let server = try await TestServer.start(maxConnections: 2)
        defer { server.stop() }
        let client = try AgencyClient(host: "127.0.0.1", port: server.port, agencyCode: "STNMT", secret: server.secret, language: .en)
        let first = try await client.connect()
        let second = try await client.connect()
        _ = try await first.serverHello()
        _ = try await second.serverHello()
        let third = try await client.connect()
        // The server refuses on accept; wait so its GOAWAY arrives before the client has sent
        // anything (the race CI once lost: the secured client took it for handshake garbage).
        try await Task.sleep(for: .milliseconds(300))
        do {
            _ = try await third.serverHello()
            Issue.record("a third connection was served")
        } catch let error as RPCError {
            #expect(error.code == .resourceExhausted)
            #expect(error.message.contains("connection limit"))
        }
        await first.close()
        await second.close()
        await third.close()
    }
}
