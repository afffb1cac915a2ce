import Crypto
import Foundation
import GiupXaMessages
import GiupXaNoise
import GiupXaProtocol
import NIOCore
import NIOEmbedded
import Testing

/// `Protocol/secure-vectors.json`: one complete v2 exchange with fixed keys, so another
/// implementation can check its handshake, derivations and records byte for byte.
/// `GIUPXA_WRITE_VECTORS=1 swift test --filter SecureVectorTests` rewrites the file.
@Suite struct SecureVectorTests {
    static let file = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Protocol/secure-vectors.json")

    struct Vector: Codable, Equatable {
        var description: String
        var credential: String
        var serverStaticPrivateHex: String
        var clientStaticPublicHex: String
        var pskHex: String
        var clientEphemeralPrivateHex: String
        var serverEphemeralPrivateHex: String
        var prologueHex: String
        var message1PayloadHex: String
        var clientFlightHex: String
        var message2PayloadHex: String
        var serverFlightHex: String
        var clientRecordPayloadHex: String
        var clientRecordHex: String
        var serverRecordPayloadHex: String
        var serverRecordHex: String
        var handshakeHashHex: String
    }

    static func bytes(_ range: ClosedRange<UInt8>) -> Data { Data(range) }

    static func frames(_ frames: [Frame]) -> Data {
        var buffer = ByteBuffer()
        for frame in frames { frame.write(to: &buffer) }
        return Data(buffer.readableBytesView)
    }

    /// Builds the exchange from fixed inputs with the Noise core directly.
    static func make() throws -> Vector {
        let serverStatic = try Curve25519.KeyAgreement.PrivateKey(rawRepresentation: bytes(0x20...0x3f))
        let credential = SecureCredential(secret: bytes(0x00...0x1f), serverPublicKey: serverStatic.publicKey.rawRepresentation)
        let clientEphemeral = try Curve25519.KeyAgreement.PrivateKey(rawRepresentation: bytes(0x40...0x5f))
        let serverEphemeral = try Curve25519.KeyAgreement.PrivateKey(rawRepresentation: bytes(0x60...0x7f))
        let prologue = SecureChannel.prologue(preamble: SecureChannel.preamble)

        var hello = Giupxa_V1_ClientHello()
        hello.clientName = "giupxa/0.2"
        hello.credential.agencyCode = "STNMT"
        hello.language = "vi"
        hello.handshakeCounter = 1_552_352_400_000
        var metadata = Giupxa_V1_CallMetadata()
        metadata.timeoutMs = 120_000
        let payload1 = frames([
            MessageCodec.clientHello(hello),
            MessageCodec.request(callID: 1, method: .listAssignments, metadata: metadata, message: Giupxa_V1_ListAssignmentsRequest()),
        ])
        var server = Giupxa_V1_ServerHello()
        server.version = 2
        server.serverName = "giupxa-server/0.1"
        server.agencyCode = "STNMT"
        server.agencyName = "Sở Tài nguyên và Môi trường"
        server.serverTimeMs = 1_552_352_400_123
        let payload2 = frames([MessageCodec.serverHello(server)])
        let clientRecordPayload = frames([Frame(type: .ping, callID: 0, body: ByteBuffer(bytes: [1, 2, 3, 4]))])
        let serverRecordPayload = frames([MessageCodec.response(callID: 1, message: Giupxa_V1_ListAssignmentsResponse())])

        var initiator = try HandshakeState(
            pattern: SecureChannel.pattern, initiator: true, prologue: prologue, staticKey: credential.staticKey,
            ephemeral: clientEphemeral, remoteStatic: serverStatic.publicKey, psks: [credential.psk])
        var responder = try HandshakeState(
            pattern: SecureChannel.pattern, initiator: false, prologue: prologue, staticKey: serverStatic,
            ephemeral: serverEphemeral, pskLater: true)
        let message1 = try initiator.writeMessage(payload1)
        #expect(try responder.readMessage(message1) == payload1)
        #expect(responder.remoteStatic?.rawRepresentation == credential.verifier.publicKey)
        try responder.providePSK(credential.psk)
        let message2 = try responder.writeMessage(payload2)
        #expect(try initiator.readMessage(message2) == payload2)
        var clientTransport = try #require(initiator.transport)
        var serverTransport = try #require(responder.transport)
        let clientRecord = try clientTransport.encrypt(clientRecordPayload)
        #expect(try serverTransport.decrypt(clientRecord) == clientRecordPayload)
        let serverRecord = try serverTransport.encrypt(serverRecordPayload)
        #expect(try clientTransport.decrypt(serverRecord) == serverRecordPayload)

        func framed(_ message: Data) -> Data { Data([UInt8(message.count >> 8), UInt8(message.count & 0xff)]) + message }
        let hex = { (data: Data) in data.map { String(format: "%02x", $0) }.joined() }
        return Vector(
            description: "A v2 connection: preamble, Noise_IKpsk2_25519_ChaChaPoly_SHA256 message 1 carrying the HELLO and a ListAssignments call, message 2 carrying the server's HELLO, then one record each way (a PING, the call's RESPONSE). Keys are fixed for the vector; real ones are random.",
            credential: credential.text,
            serverStaticPrivateHex: hex(serverStatic.rawRepresentation),
            clientStaticPublicHex: hex(credential.verifier.publicKey),
            pskHex: hex(credential.psk),
            clientEphemeralPrivateHex: hex(clientEphemeral.rawRepresentation),
            serverEphemeralPrivateHex: hex(serverEphemeral.rawRepresentation),
            prologueHex: hex(prologue),
            message1PayloadHex: hex(payload1),
            clientFlightHex: hex(Data([0x47, 0x58, 0x02, 0x02]) + framed(message1)),
            message2PayloadHex: hex(payload2),
            serverFlightHex: hex(framed(message2)),
            clientRecordPayloadHex: hex(clientRecordPayload),
            clientRecordHex: hex(framed(clientRecord)),
            serverRecordPayloadHex: hex(serverRecordPayload),
            serverRecordHex: hex(framed(serverRecord)),
            handshakeHashHex: hex(clientTransport.handshakeHash))
    }

    @Test func theExchangeMatchesTheFileByteForByte() throws {
        let vector = try Self.make()
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        if ProcessInfo.processInfo.environment["GIUPXA_WRITE_VECTORS"] == "1" {
            try (encoder.encode([vector]) + Data("\n".utf8)).write(to: Self.file)
        }
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        let stored = try decoder.decode([Vector].self, from: Data(contentsOf: Self.file))
        #expect(stored == [vector])
    }

    /// The reference handlers read the vector's client flight like any other.
    @Test func theServerHandlerAcceptsTheVectorsClientFlight() throws {
        let vector = try Self.make()
        let session = SecureSession()
        let channel = EmbeddedChannel()
        let serverKey = try Curve25519.KeyAgreement.PrivateKey(rawRepresentation: Data(Hex.decode(vector.serverStaticPrivateHex)!))
        try channel.pipeline.syncOperations.addHandler(SecureServerHandler(staticKey: serverKey, session: session))
        try channel.writeInbound(ByteBuffer(bytes: Hex.decode(vector.clientFlightHex)!))
        var received: [UInt8] = []
        while let buffer = try channel.readInbound(as: ByteBuffer.self) { received += buffer.readableBytesView }
        #expect(received == [0x47, 0x58, 0x02, 0x02] + Hex.decode(vector.message1PayloadHex)!)
        #expect(session.remoteStaticKey.map { Array($0) } == Hex.decode(vector.clientStaticPublicHex))
    }
}
