import Foundation
import GiupXaMessages
import GiupXaModels
import GiupXaProtocol
import NIOCore
import Testing

/// The refusals in Protocol/test-vectors.json are what a running server sends, byte for byte:
/// an implementer who matches the vectors matches the server (PROTOCOL.md §17).
@Suite struct LiveVectorTests {
    static let protocolFolder = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Protocol")

    static func hex(_ name: String, in file: String = "test-vectors.json", key: String = "hex") throws -> [UInt8] {
        let data = try Data(contentsOf: protocolFolder.appendingPathComponent(file))
        let vectors = try #require(try JSONSerialization.jsonObject(with: data) as? [[String: Any]])
        let vector = try #require(vectors.first { ($0["name"] as? String) == name || name.isEmpty }, "no vector \(name)")
        let text = try #require(vector[key] as? String)
        return try #require(Hex.bytes(text))
    }

    /// What the server sends back to `bytes` until it closes, re-encoded frame by frame (the
    /// framing is unique: minimal varints).
    static func answer(to bytes: [UInt8]) async throws -> (bytes: [UInt8], closed: Bool) {
        let server = try await TestServer.start()
        defer { server.stop() }
        let exchange = try await RawClient.exchange(port: server.port, bytes: bytes) { _ in false }
        var buffer = ByteBuffer()
        for frame in exchange.frames { frame.write(to: &buffer) }
        return (Array(buffer.readableBytesView), exchange.closed)
    }

    /// §3.3: the vectors' HELLO carries a credential of another server, so this one refuses it.
    @Test func aRefusedHelloGetsTheVectorsGoAway() async throws {
        let answer = try await Self.answer(to: Self.hex("connection-start"))
        #expect(answer.bytes == (try Self.hex("goaway-unauthenticated")))
        #expect(answer.closed)
    }

    /// §3.2.
    @Test func anUnsupportedVersionGetsTheVectorsGoAway() async throws {
        let answer = try await Self.answer(to: [0x47, 0x58, 0x03, 0x03])
        #expect(answer.bytes == (try Self.hex("goaway-unsupported-version")))
        #expect(answer.closed)
    }

    /// §12.2: the secure vector's message 1 is addressed to the vector's server key, not this
    /// server's, so it does not decrypt.
    @Test func aMessage1ThatDoesNotDecryptGetsTheVectorsGoAway() async throws {
        let flight = try Self.hex("", in: "secure-vectors.json", key: "client_flight_hex")
        let answer = try await Self.answer(to: flight)
        #expect(answer.bytes == (try Self.hex("goaway-handshake-failed")))
        #expect(answer.closed)
    }

    /// §12.4: a second handshake at the same counter (41) is refused inside message 2, with
    /// exactly the vector's frame.
    @Test func aStaleCounterGetsTheVectorsGoAwayInMessage2() async throws {
        let server = try await TestServer.start()
        defer { server.stop() }
        let credential = try #require(SecureCredential(parsing: server.secret))
        let hello = BadInputTableTests.securedHello(counter: 41)
        let first = try SecuredFlight(credential: credential, frames: [hello])
        let accepted = try await RawClient.exchange(port: server.port, bytes: first.bytes, decode: first.decode) { frames in
            frames.contains { $0.type == .hello }
        }
        #expect(accepted.frames.first?.type == .hello)

        let again = try SecuredFlight(credential: credential, frames: [hello])
        let refused = try await RawClient.exchange(port: server.port, bytes: again.bytes, decode: again.decode) { _ in false }
        #expect(!refused.undecodable, "message 2 opens with the client's handshake state")
        var buffer = ByteBuffer()
        for frame in refused.frames { frame.write(to: &buffer) }
        #expect(Array(buffer.readableBytesView) == (try Self.hex("goaway-counter-floor")))
        #expect(refused.closed)
    }

    /// §6.5: an amendment of a visit the server does not hold, in English on a v1 connection.
    @Test func anAmendmentOfAnUnknownVisitGetsTheVectorsResponse() async throws {
        let server = try await TestServer.start()
        defer { server.stop() }
        var hello = Giupxa_V1_ClientHello()
        hello.clientName = "live-vector-test"
        hello.credential.agencyCode = "STNMT"
        hello.credential.secret = server.secret
        hello.language = "en"
        var amendment = Giupxa_V1_Amendment()
        amendment.visit = BadInputTableTests.visit { $0.id = UUID(uuidString: "9F0C2A6E-3B1D-4C8E-A2F7-5D6B1E0C4A93")!.wireBytes }
        amendment.baseRevision = 1
        var request = Giupxa_V1_AmendVisitsRequest()
        request.amendments = [amendment]
        let frames = [MessageCodec.clientHello(hello), MessageCodec.request(callID: 6, method: .amendVisits, message: request)]
        let exchange = try await RawClient.exchange(port: server.port, bytes: BadInputTableTests.preamble + BadInputTableTests.bytes(frames)) { frames in
            frames.contains { $0.callID == 6 }
        }
        let answer = try #require(exchange.frames.first { $0.callID == 6 })
        var buffer = ByteBuffer()
        answer.write(to: &buffer)
        #expect(Array(buffer.readableBytesView) == (try Self.hex("amend-not-found")))
    }

    /// §11: a server started with its defaults advertises the limits of the table and of the
    /// `server-hello` vector.
    @Test func theServersHelloAdvertisesTheDefaultLimits() async throws {
        let limits = ProtocolLimits.default
        let table: [Int] = [4 << 20, 4 << 20, 16 << 10, 250, 16]
        #expect([limits.maxFrameBytes, limits.maxMessageBytes, limits.maxHelloBytes, limits.maxVisitsPerBatch, limits.maxConcurrentCalls] == table)
        let server = try await TestServer.start()
        defer { server.stop() }
        var hello = Giupxa_V1_ClientHello()
        hello.credential.agencyCode = "STNMT"
        hello.credential.secret = server.secret
        let exchange = try await RawClient.exchange(port: server.port, bytes: BadInputTableTests.preamble + BadInputTableTests.bytes([MessageCodec.clientHello(hello)])) { frames in
            frames.contains { $0.type == .hello }
        }
        let frame = try #require(exchange.frames.first { $0.type == .hello })
        let live = try MessageCodec.decode(Giupxa_V1_ServerHello.self, from: frame.body).limits

        let vector = try #require(try Self.vectors().first { $0["name"] as? String == "server-hello" })
        let meaning = try #require((vector["frames"] as? [[String: Any]])?.first?["message"] as? String)
        let message = try #require(try JSONSerialization.jsonObject(with: Data(meaning.utf8)) as? [String: Any])
        let advertised = try #require(message["limits"] as? [String: Any])
        let expected: [String: Int] = [
            "maxFrameBytes": Int(live.maxFrameBytes), "maxMessageBytes": Int(live.maxMessageBytes),
            "maxVisitsPerBatch": Int(live.maxVisitsPerBatch), "maxConcurrentCalls": Int(live.maxConcurrentCalls),
        ]
        #expect(advertised.mapValues { $0 as? Int } == expected.mapValues { Optional($0) })
        #expect(Int(live.maxVisitsPerBatch) == limits.maxVisitsPerBatch && Int(live.maxFrameBytes) == limits.maxFrameBytes)
    }

    static func vectors() throws -> [[String: Any]] {
        let data = try Data(contentsOf: protocolFolder.appendingPathComponent("test-vectors.json"))
        return try #require(try JSONSerialization.jsonObject(with: data) as? [[String: Any]])
    }
}

private enum Hex {
    static func bytes(_ text: String) -> [UInt8]? {
        var out: [UInt8] = []
        var index = text.startIndex
        while index < text.endIndex {
            let next = text.index(index, offsetBy: 2, limitedBy: text.endIndex) ?? text.endIndex
            guard let byte = UInt8(text[index..<next], radix: 16) else { return nil }
            out.append(byte)
            index = next
        }
        return out
    }
}
