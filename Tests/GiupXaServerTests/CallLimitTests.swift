import Foundation
import GiupXaMessages
import GiupXaProtocol
import NIOCore
import NIOPosix
import Testing

/// PROTOCOL.md §5.2 and §10 against a live server: the concurrent-call limit and the deadline.
@Suite struct CallLimitTests {
    /// A SubmitVisits of 250 visits: tens of milliseconds of work, long enough to be running
    /// when the next frame of the same write is read.
    static func slowSubmit(callID: UInt32, metadata: Giupxa_V1_CallMetadata? = nil) -> Frame {
        var request = Giupxa_V1_SubmitVisitsRequest()
        request.visits = (0..<250).map { _ in BadInputTableTests.visit { $0.id = UUID().wireBytes } }
        return MessageCodec.request(callID: callID, method: .submitVisits, metadata: metadata, message: request)
    }

    static func answer(_ frames: [Frame], callID: UInt32) throws -> Giupxa_V1_Status? {
        guard let frame = frames.first(where: { $0.callID == callID && $0.type == .status }) else { return nil }
        return try MessageCodec.decode(Giupxa_V1_Status.self, from: frame.body)
    }

    @Test func aCallBeyondTheConcurrentLimitIsRefusedAtOnce() async throws {
        var limits = ProtocolLimits.default
        limits.maxConcurrentCalls = 1
        let server = try await TestServer.start(limits: limits)
        defer { server.stop() }
        let bytes = BadInputTableTests.preamble + BadInputTableTests.bytes([
            BadInputTableTests.hello(server.secret), Self.slowSubmit(callID: 1),
            MessageCodec.request(callID: 2, method: .listAssignments, message: Giupxa_V1_ListAssignmentsRequest()),
        ])
        let exchange = try await RawClient.exchange(port: server.port, bytes: bytes, wait: .seconds(10)) { frames in
            frames.contains { $0.callID == 1 && $0.type != .hello } && frames.contains { $0.callID == 2 }
        }
        let refused = try #require(try Self.answer(exchange.frames, callID: 2), "\(exchange.frames.map { "\($0.type)/\($0.callID)" })")
        #expect(StatusCode(rawValue: refused.code) == .resourceExhausted, "\(refused.message)")
        #expect(exchange.frames.contains { $0.callID == 1 && $0.type == .response }, "the running call is answered")
    }

    /// The call waits for one of the large-call permits (cores − 1, §11) behind calls that hold
    /// them all, so its 1 ms deadline surely passes before it can run, however loaded the machine.
    @Test func aCallPastItsDeadlineEndsWithDeadlineExceeded() async throws {
        let server = try await TestServer.start()
        defer { server.stop() }
        var metadata = Giupxa_V1_CallMetadata()
        metadata.timeoutMs = 1
        let holders = (1...UInt32(max(1, System.coreCount - 1))).map { Self.slowSubmit(callID: $0) }
        let late = UInt32(holders.count + 1)
        let bytes = BadInputTableTests.preamble
            + BadInputTableTests.bytes([BadInputTableTests.hello(server.secret)] + holders + [Self.slowSubmit(callID: late, metadata: metadata)])
        let exchange = try await RawClient.exchange(port: server.port, bytes: bytes, wait: .seconds(20)) { frames in
            frames.contains { $0.callID == late }
        }
        let status = try #require(try Self.answer(exchange.frames, callID: late), "\(exchange.frames.map { "\($0.type)/\($0.callID)" })")
        #expect(StatusCode(rawValue: status.code) == .deadlineExceeded, "\(status.message)")
    }
}

/// PROTOCOL.md §6.1 and §7.2: what a storage failure looks like on the wire.
@Suite struct StorageFailureTests {
    @Test func aStorageFailureInACallIsInternalAndTheConnectionLives() async throws {
        let (server, faulty) = try await TestServer.withFaultyStore()
        defer { server.stop() }
        faulty.fail(.assignments)
        let bytes = BadInputTableTests.preamble + BadInputTableTests.bytes([
            BadInputTableTests.hello(server.secret),
            MessageCodec.request(callID: 1, method: .listAssignments, message: Giupxa_V1_ListAssignmentsRequest()),
        ])
        let exchange = try await RawClient.exchange(port: server.port, bytes: bytes) { frames in frames.contains { $0.callID == 1 } }
        let status = try #require(try CallLimitTests.answer(exchange.frames, callID: 1))
        #expect(StatusCode(rawValue: status.code) == .internal)
        #expect(status.message.contains("Server error, please retry"), "\(status.message)")
        #expect(!exchange.closed, "a call's storage failure does not end the connection")
    }

    @Test func aStorageFailureWhileCheckingTheCredentialIsGoAwayUnavailable() async throws {
        let (server, faulty) = try await TestServer.withFaultyStore()
        defer { server.stop() }
        faulty.fail(.authenticate)
        let exchange = try await RawClient.exchange(
            port: server.port, bytes: BadInputTableTests.preamble + BadInputTableTests.bytes([BadInputTableTests.hello(server.secret)])
        ) { frames in frames.contains { $0.type == .goAway } }
        let goAway = try #require(exchange.frames.first { $0.type == .goAway })
        let status = try MessageCodec.decode(Giupxa_V1_GoAway.self, from: goAway.body).status
        #expect(StatusCode(rawValue: status.code) == .unavailable)
        #expect(status.message.contains("please retry"), "\(status.message)")
    }
}

/// Issue 18, finding 11: on a full disk, what needs no write still works, and what does says why.
@Suite struct FullDiskTests {
    @Test func aFullDiskRefusesWritesAsStorageFullAndKeepsReadsWorking() async throws {
        let (server, faulty) = try await TestServer.withFaultyStore()
        defer { server.stop() }
        faulty.fail(.fullDisk)
        // v1 on loopback records no counter: its handshake and a read still work, a write does not.
        var submit = Giupxa_V1_SubmitVisitsRequest()
        submit.visits = [BadInputTableTests.visit()]
        let bytes = BadInputTableTests.preamble + BadInputTableTests.bytes([
            BadInputTableTests.hello(server.secret),
            MessageCodec.request(callID: 1, method: .listAssignments, message: Giupxa_V1_ListAssignmentsRequest()),
            MessageCodec.request(callID: 2, method: .submitVisits, message: submit),
        ])
        // The two calls run at once: wait for both answers, in either order.
        let exchange = try await RawClient.exchange(port: server.port, bytes: bytes, wait: .seconds(10)) { frames in
            frames.contains { $0.callID == 1 } && frames.contains { $0.callID == 2 }
        }
        #expect(exchange.frames.contains { $0.callID == 1 && $0.type == .response }, "a read works")
        let refused = try #require(try CallLimitTests.answer(exchange.frames, callID: 2))
        #expect(StatusCode(rawValue: refused.code) == .unavailable)
        #expect(refused.message.contains("storage is full"), "\(refused.message)")
        // v2 records its anti-replay counter before its HELLO: refused, and told why.
        let credential = try #require(SecureCredential(parsing: server.secret))
        let flight = try SecuredFlight(credential: credential, frames: [BadInputTableTests.securedHello(counter: BadInputTableTests.now)])
        let secured = try await RawClient.exchange(port: server.port, bytes: flight.bytes, decode: flight.decode) { frames in
            frames.contains { $0.type == .goAway || $0.type == .hello }
        }
        let goAway = try #require(secured.frames.first { $0.type == .goAway })
        let status = try MessageCodec.decode(Giupxa_V1_GoAway.self, from: goAway.body).status
        #expect(StatusCode(rawValue: status.code) == .unavailable)
        #expect(status.message.contains("storage is full"), "\(status.message)")
    }
}

/// PROTOCOL.md §7.2: a draining server says goodbye with the last call id it accepted.
@Suite struct DrainTests {
    /// The drain starts once the call is answered: a drain that starts while a large call is
    /// still arriving was seen closing without GOAWAY (Protocol/CONFORMANCE.md, Notes).
    @Test func theDrainGoesAwayUnavailableWithTheLastCallID() async throws {
        let server = try await TestServer.start()
        defer { server.stop() }
        let collector = RawClient.Collector()
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelInitializer { channel in channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(collector) } }
            .connect(host: "127.0.0.1", port: server.port).get()
        defer { channel.close(promise: nil) }
        let bytes = BadInputTableTests.preamble + BadInputTableTests.bytes([
            BadInputTableTests.hello(server.secret),
            MessageCodec.request(callID: 1, method: .listAssignments, message: Giupxa_V1_ListAssignmentsRequest()),
        ])
        try await channel.writeAndFlush(ByteBuffer(bytes: bytes))
        func frames() -> [Frame] { RawClient.decode(collector.snapshot().0).frames }
        let deadline = ContinuousClock.now + .seconds(10)
        while !frames().contains(where: { $0.callID == 1 }), ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
        #expect(frames().contains { $0.callID == 1 && $0.type == .response }, "\(frames().map { "\($0.type)/\($0.callID)" })")
        server.drain()
        while !frames().contains(where: { $0.type == .goAway }), ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
        let goAway = try #require(frames().first { $0.type == .goAway })
        let message = try MessageCodec.decode(Giupxa_V1_GoAway.self, from: goAway.body)
        #expect(StatusCode(rawValue: message.status.code) == .unavailable)
        #expect(message.status.message.contains("shutting down"), "\(message.status.message)")
        #expect(message.lastCallID == 1)
    }
}
