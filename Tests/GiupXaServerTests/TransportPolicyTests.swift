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

/// Who may speak plaintext, and devices that share one credential.
@Suite struct TransportPolicyTests {
    /// This machine's first non-loopback IPv4 address: connecting to it from here is not
    /// loopback as far as the server can tell.
    static func externalAddress() throws -> String? {
        try System.enumerateDevices().lazy.compactMap { device -> String? in
            guard case .v4? = device.address, let ip = device.address?.ipAddress, !ip.hasPrefix("127.") else { return nil }
            return ip
        }.first
    }

    @Test func plaintextFromTheNetworkIsRefusedUnlessAllowed() async throws {
        guard let ip = try Self.externalAddress() else {
            Issue.record("no non-loopback IPv4 address on this machine: cannot check the plaintext policy")
            return
        }
        for allow in [false, true] {
            let server = try await TestServer.start(host: "0.0.0.0", allowPlaintext: allow)
            defer { server.stop() }
            let hello = BadInputTableTests.preamble + BadInputTableTests.bytes([BadInputTableTests.hello(server.secret)])
            let exchange = try await RawClient.exchange(host: ip, port: server.port, bytes: hello) { frames in
                frames.contains { $0.type == .goAway || $0.type == .hello }
            }
            if allow {
                #expect(exchange.frames.first?.type == .hello, "--allow-plaintext accepts v1 from \(ip)")
            } else {
                let goAway = try #require(exchange.frames.first { $0.type == .goAway })
                let status = try MessageCodec.decode(Giupxa_V1_GoAway.self, from: goAway.body).status
                #expect(StatusCode(rawValue: status.code) == .failedPrecondition)
                #expect(status.message.contains("unencrypted (v1)"), "\(status.message)")
            }
            // The secured client is welcome from anywhere.
            let client = try AgencyClient(host: ip, port: server.port, agencyCode: "STNMT", secret: server.secret, language: .en)
            #expect(try await client.serverVisits().isEmpty)
        }
    }

    @Test func aDeviceBehindAnotherOnTheSameCredentialCatchesUpInOneRetry() async throws {
        let server = try await TestServer.start()
        defer { server.stop() }
        // Device A's clock runs a day ahead; device B's is right, so its counter is behind A's.
        let ahead = InMemoryHandshakeCounter()
        try ahead.raiseHandshakeCounter(above: UInt64(Date().timeIntervalSince1970 * 1000) + 86_400_000)
        let deviceA = try AgencyClient(host: "127.0.0.1", port: server.port, agencyCode: "STNMT", secret: server.secret, language: .en, counters: ahead)
        _ = try await deviceA.serverVisits()

        let behind = InMemoryHandshakeCounter()
        let deviceB = try AgencyClient(host: "127.0.0.1", port: server.port, agencyCode: "STNMT", secret: server.secret, language: .en, counters: behind)
        let first = try await deviceB.connect()
        await #expect(throws: RPCError.self) { _ = try await first.serverHello() }
        await first.close()
        // The refusal told B the floor; its next connection goes through, and so does a command
        // that meets the refusal itself (one immediate retry).
        _ = try await deviceB.serverVisits()
        try ahead.raiseHandshakeCounter(above: try ahead.nextHandshakeCounter(now: Date()) + 86_400_000)
        _ = try await deviceA.serverVisits()
        #expect(try await deviceB.serverVisits().isEmpty)
    }

    /// §12.4: the calls pipelined in a message 1 whose counter is not above the floor (a replay,
    /// or a device behind) never run: the visit it carries is not stored.
    @Test func aStaleHandshakesPipelinedCallsNeverRun() async throws {
        let server = try await TestServer.start()
        defer { server.stop() }
        let credential = try #require(SecureCredential(parsing: server.secret))
        let counter = BadInputTableTests.now
        let visitID = UUID()
        let submit = BadInputTableTests.submit([BadInputTableTests.visit { $0.id = visitID.wireBytes }])
        let stale = try SecuredFlight(credential: credential, frames: [BadInputTableTests.securedHello(counter: counter), submit])

        let ahead = try SecuredFlight(credential: credential, frames: [BadInputTableTests.securedHello(counter: counter + 1)])
        let accepted = try await RawClient.exchange(port: server.port, bytes: ahead.bytes, decode: ahead.decode) { frames in
            frames.contains { $0.type == .hello }
        }
        #expect(accepted.frames.first?.type == .hello)

        let refused = try await RawClient.exchange(port: server.port, bytes: stale.bytes, decode: stale.decode) { _ in false }
        #expect(refused.frames.map(\.type) == [.goAway])
        #expect(try await server.store.revisions(visitID: visitID).isEmpty, "the pipelined SubmitVisits did not run")

        // The same call behind a fresh counter is stored: the check above can fail.
        let fresh = try SecuredFlight(credential: credential, frames: [BadInputTableTests.securedHello(counter: counter + 2), submit])
        _ = try await RawClient.exchange(port: server.port, bytes: fresh.bytes, decode: fresh.decode) { frames in frames.contains { $0.callID == 1 } }
        #expect(try await server.store.revisions(visitID: visitID).count == 1)
    }
}
