import Foundation
import GiupXaClient
import GiupXaMessages
import GiupXaModels
import GiupXaProtocol
import GiupXaServer
import GiupXaStorage
import NIOCore
import NIOPosix
import Testing

/// Issue 15, finding 7: revoking (or rotating) a credential cuts the connections already open
/// with it, v2 and v1 alike, within a second: their calls end UNAUTHENTICATED.
@Suite struct RevocationTests {
    @Test(arguments: [false, true])
    func revocationReachesAnOpenConnectionWithinASecond(plaintext: Bool) async throws {
        let server = try await TestServer.start()
        defer { server.stop() }
        let client = try AgencyClient(
            host: "127.0.0.1", port: server.port, agencyCode: "STNMT", secret: server.secret, language: .en, plaintext: plaintext)
        let connection = try await client.connect()
        defer { Task { await connection.close() } }
        let before = try await connection.call(
            .listAssignments, Giupxa_V1_ListAssignmentsRequest(), as: Giupxa_V1_ListAssignmentsResponse.self, timeout: .seconds(5))
        #expect(before.assignments.count == 3)

        // As `giupxa-server credential revoke` does, from another process: straight into the store.
        let revokedAt = ContinuousClock.now
        #expect(try await server.store.revokeCredentials(of: .agency(code: "STNMT"), id: nil, now: Date()) == 1)
        var refusal: RPCError?
        while refusal == nil, ContinuousClock.now - revokedAt < .seconds(5) {
            do {
                _ = try await connection.call(
                    .listAssignments, Giupxa_V1_ListAssignmentsRequest(), as: Giupxa_V1_ListAssignmentsResponse.self, timeout: .seconds(5))
                try await Task.sleep(for: .milliseconds(20))
            } catch let error as RPCError {
                refusal = error
            }
        }
        let elapsed = ContinuousClock.now - revokedAt
        print("\(plaintext ? "v1" : "v2"): connection cut \(elapsed) after the revocation: \(refusal.map { "\($0.code) \($0.message)" } ?? "not cut")")
        #expect(refusal?.code == .unauthenticated)
        #expect(refusal?.message.contains("revoked") == true)
        #expect(elapsed < .seconds(1))
    }

    /// PROTOCOL.md §12.1: the connection itself then ends with GOAWAY UNAUTHENTICATED.
    @Test func aRevokedConnectionEndsWithGoAwayUnauthenticated() async throws {
        let server = try await TestServer.start()
        defer { server.stop() }
        let collector = RawClient.Collector()
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelInitializer { channel in channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(collector) } }
            .connect(host: "127.0.0.1", port: server.port).get()
        defer { channel.close(promise: nil) }
        try await channel.writeAndFlush(ByteBuffer(bytes: BadInputTableTests.preamble + BadInputTableTests.bytes([BadInputTableTests.hello(server.secret)])))
        // Revoked only once the connection is live (its HELLO answered), however slow the machine.
        func frames() -> [Frame] { RawClient.decode(collector.snapshot().0).frames }
        let deadline = ContinuousClock.now + .seconds(10)
        while !frames().contains(where: { $0.type == .hello }), ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
        #expect(frames().first?.type == .hello, "the connection was live before")
        #expect(try await server.store.revokeCredentials(of: .agency(code: "STNMT"), id: nil, now: Date()) == 1)
        while !frames().contains(where: { $0.type == .goAway }), ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
        let goAway = try #require(frames().first { $0.type == .goAway }, "\(frames().map(\.type))")
        let status = try MessageCodec.decode(Giupxa_V1_GoAway.self, from: goAway.body).status
        #expect(StatusCode(rawValue: status.code) == .unauthenticated)
        #expect(status.message.contains("revoked"), "\(status.message)")
    }
}
