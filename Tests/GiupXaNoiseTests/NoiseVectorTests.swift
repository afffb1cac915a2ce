import Crypto
import Foundation
import GiupXaNoise
import Testing

// MARK: - Vector file model

struct NoiseVectorFile: Decodable {
    let comment: String
    let vectors: [NoiseVector]
}

struct NoiseVector: Decodable, CustomTestStringConvertible, Sendable {
    struct Message: Decodable, Sendable {
        let payload: String
        let ciphertext: String
    }

    let source: String
    let protocolName: String
    let initPrologue: String
    let initPsks: [String]
    let initStatic: String?
    let initEphemeral: String
    let initRemoteStatic: String?
    let respPrologue: String
    let respPsks: [String]
    let respStatic: String?
    let respEphemeral: String
    let respRemoteStatic: String?
    let handshakeHash: String
    let messages: [Message]

    enum CodingKeys: String, CodingKey {
        case source
        case protocolName = "protocol_name"
        case initPrologue = "init_prologue"
        case initPsks = "init_psks"
        case initStatic = "init_static"
        case initEphemeral = "init_ephemeral"
        case initRemoteStatic = "init_remote_static"
        case respPrologue = "resp_prologue"
        case respPsks = "resp_psks"
        case respStatic = "resp_static"
        case respEphemeral = "resp_ephemeral"
        case respRemoteStatic = "resp_remote_static"
        case handshakeHash = "handshake_hash"
        case messages
    }

    var testDescription: String { protocolName }

    static func load() throws -> [NoiseVector] {
        let url = try #require(Bundle.module.url(forResource: "noise-vectors", withExtension: "json", subdirectory: "Vectors"))
        return try JSONDecoder().decode(NoiseVectorFile.self, from: Data(contentsOf: url)).vectors
    }
}

enum HexError: Error { case invalid(String) }

func hex(_ string: String) throws -> Data {
    let chars = Array(string.utf8)
    guard chars.count % 2 == 0 else { throw HexError.invalid(string) }
    var out = Data(capacity: chars.count / 2)
    var i = 0
    while i < chars.count {
        guard let byte = UInt8(String(decoding: chars[i..<i + 2], as: UTF8.self), radix: 16) else {
            throw HexError.invalid(string)
        }
        out.append(byte)
        i += 2
    }
    return out
}

func hexString(_ data: Data) -> String { data.map { String(format: "%02x", $0) }.joined() }

func privateKey(_ hexString: String?) throws -> Curve25519.KeyAgreement.PrivateKey? {
    guard let hexString else { return nil }
    return try Curve25519.KeyAgreement.PrivateKey(rawRepresentation: hex(hexString))
}

func publicKey(_ hexString: String?) throws -> Curve25519.KeyAgreement.PublicKey? {
    guard let hexString else { return nil }
    return try Curve25519.KeyAgreement.PublicKey(rawRepresentation: hex(hexString))
}

// MARK: - Published vectors

@Suite("Noise published test vectors")
struct NoiseVectorTests {
    static let vectors: [NoiseVector] = (try? NoiseVector.load()) ?? []

    @Test("vector file loads and covers IK and IKpsk2")
    func vectorFileCoverage() throws {
        let names = Set(try NoiseVector.load().map(\.protocolName))
        #expect(names.contains("Noise_IK_25519_ChaChaPoly_SHA256"))
        #expect(names.contains("Noise_IKpsk2_25519_ChaChaPoly_SHA256"))
    }

    @Test("handshake, handshake hash and transport messages match byte for byte", arguments: vectors)
    func vector(_ v: NoiseVector) throws {
        let pattern = try #require(HandshakePattern.named(v.protocolName), "unsupported \(v.protocolName)")
        var initiator = try HandshakeState(
            pattern: pattern, initiator: true, prologue: hex(v.initPrologue),
            staticKey: privateKey(v.initStatic), ephemeral: privateKey(v.initEphemeral),
            remoteStatic: publicKey(v.initRemoteStatic), psks: v.initPsks.map(hex))
        var responder = try HandshakeState(
            pattern: pattern, initiator: false, prologue: hex(v.respPrologue),
            staticKey: privateKey(v.respStatic), ephemeral: privateKey(v.respEphemeral),
            remoteStatic: publicKey(v.respRemoteStatic), psks: v.respPsks.map(hex))

        let handshakeCount = pattern.messages.count
        #expect(v.messages.count > handshakeCount, "vector should include transport messages")
        for (i, message) in v.messages.prefix(handshakeCount).enumerated() {
            let payload = try hex(message.payload)
            let expected = try hex(message.ciphertext)
            if i % 2 == 0 {
                let written = try initiator.writeMessage(payload)
                #expect(hexString(written) == message.ciphertext, "handshake message \(i)")
                #expect(try responder.readMessage(expected) == payload, "handshake message \(i)")
            } else {
                let written = try responder.writeMessage(payload)
                #expect(hexString(written) == message.ciphertext, "handshake message \(i)")
                #expect(try initiator.readMessage(expected) == payload, "handshake message \(i)")
            }
        }
        #expect(initiator.isFinished && responder.isFinished)
        #expect(hexString(initiator.handshakeHash) == v.handshakeHash)
        #expect(hexString(responder.handshakeHash) == v.handshakeHash)

        var initTransport = try #require(initiator.transport)
        var respTransport = try #require(responder.transport)
        #expect(initTransport.handshakeHash == respTransport.handshakeHash)
        for (i, message) in v.messages.enumerated().dropFirst(handshakeCount) {
            let payload = try hex(message.payload)
            let expected = try hex(message.ciphertext)
            if i % 2 == 0 {
                #expect(hexString(try initTransport.encrypt(payload)) == message.ciphertext, "transport message \(i)")
                #expect(try respTransport.decrypt(expected) == payload, "transport message \(i)")
            } else {
                #expect(hexString(try respTransport.encrypt(payload)) == message.ciphertext, "transport message \(i)")
                #expect(try initTransport.decrypt(expected) == payload, "transport message \(i)")
            }
        }
    }
}
