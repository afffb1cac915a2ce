import Crypto
import Foundation
import GiupXaMessages
import GiupXaModels
import GiupXaProtocol
import SwiftProtobuf
import Testing

/// `Protocol/bundle-vectors.json`: signed offline bundles (PROTOCOL.md §15) from a fixed
/// credential, visits and time, so another implementation can check its key derivation,
/// layout and signature byte for byte. Ed25519 signatures are deterministic (RFC 8032), so the
/// bytes are reproducible; the deflated vector also needs zlib's level-9, memLevel-9 output.
/// `GIUPXA_WRITE_VECTORS=1 swift test --filter BundleVectorTests` rewrites the file.
@Suite struct BundleVectorTests {
    static let file = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Protocol/bundle-vectors.json")

    struct Vector: Codable, Equatable {
        var name: String
        var description: String
        /// The credential text; `secret_hex` and `server_static_public_hex` are its two halves.
        var credential: String
        var secretHex: String
        var serverStaticPrivateHex: String
        var serverStaticPublicHex: String
        /// The X25519 static public key (HKDF "giupxa v2 client static"), which names the credential.
        var credentialPublicKeyHex: String
        /// HKDF "giupxa v2 bundle signing": the Ed25519 private key (seed) and its public key.
        var bundleSigningPrivateHex: String
        var bundleSigningPublicHex: String
        var agencyCode: String
        var clientName: String
        var createdTimeMs: Int64
        var compression: UInt32
        /// Each visit as protobuf JSON, in order.
        var visits: [String]
        var headerHex: String
        var payloadHex: String
        var signatureHex: String
        var bundleHex: String
    }

    static func hex(_ bytes: some Sequence<UInt8>) -> String { bytes.map { String(format: "%02x", $0) }.joined() }

    static func visit(_ id: String, commune: String, day: Int, results: String) -> Giupxa_V1_Visit {
        let start = Date(timeIntervalSince1970: 1_552_352_400 + Double(day) * 86_400)  // 12/03/2019 08:00 UTC+7
        return Giupxa_V1_Visit(Visit(
            id: UUID(uuidString: id)!, communeCode: commune, start: start, end: start.addingTimeInterval(3 * 3_600),
            cadres: [Cadre(name: "Lò Văn Minh", position: "Phó Giám đốc Sở")],
            activities: [Activity(category: .socioEconomicReview, description: "Rà soát hộ nghèo")],
            results: results))
    }

    static func make() throws -> [Vector] {
        let serverStatic = try Curve25519.KeyAgreement.PrivateKey(rawRepresentation: Data(0x20...0x3f))
        let credential = SecureCredential(secret: Data(0x00...0x1f), serverPublicKey: serverStatic.publicKey.rawRepresentation)
        let created = Date(timeIntervalSince1970: 1_552_380_000)
        let one = [visit("0195B5A0-8C00-7000-8000-000000000001", commune: "03376", day: 0, results: "Hoàn thành kế hoạch")]
        let three = (1...3).map { n in
            visit("0195B5A0-8C00-7000-8000-00000000000\(n + 1)", commune: "03376", day: n, results: "Hoàn thành kế hoạch, đợt \(n)")
        }
        return try [
            vector(
                "signed-one-visit-plain", "Format 2, one visit, payload not compressed (compression 0): reproducible without zlib.",
                credential: credential, serverStatic: serverStatic, visits: one, created: created, compress: false),
            vector(
                "signed-three-visits-deflate", "Format 2, three visits, payload in raw deflate (compression 1, zlib level 9, memLevel 9).",
                credential: credential, serverStatic: serverStatic, visits: three, created: created, compress: true),
        ]
    }

    static func vector(
        _ name: String, _ description: String, credential: SecureCredential, serverStatic: Curve25519.KeyAgreement.PrivateKey,
        visits: [Giupxa_V1_Visit], created: Date, compress: Bool
    ) throws -> Vector {
        let bytes = VisitBundle.encode(
            agencyCode: "STNMT", visits: visits, clientName: "giupxa/0.2", credential: credential, now: created, compress: compress)
        let envelope = try VisitBundle.read(bytes)
        let (headerBytes, payload) = split(bytes)
        return Vector(
            name: name, description: description, credential: credential.text, secretHex: hex(credential.secret),
            serverStaticPrivateHex: hex(serverStatic.rawRepresentation), serverStaticPublicHex: hex(credential.serverPublicKey),
            credentialPublicKeyHex: hex(credential.verifier.publicKey),
            bundleSigningPrivateHex: hex(credential.bundleSigningKey.rawRepresentation),
            bundleSigningPublicHex: hex(credential.verifier.bundlePublicKey),
            agencyCode: "STNMT", clientName: "giupxa/0.2", createdTimeMs: envelope.header.createdTimeMs,
            compression: envelope.header.compression, visits: try visits.map { try $0.jsonString() },
            headerHex: hex(headerBytes), payloadHex: hex(payload), signatureHex: hex(envelope.signature), bundleHex: hex(bytes))
    }

    /// The header and payload of a format-2 file, by its two varint lengths.
    static func split(_ bytes: [UInt8]) -> (header: [UInt8], payload: [UInt8]) {
        var index = 4
        func field() -> [UInt8] {
            var length = 0, shift = 0
            while true {
                let byte = bytes[index]
                index += 1
                length |= Int(byte & 0x7f) << shift
                shift += 7
                if byte & 0x80 == 0 { break }
            }
            defer { index += length }
            return Array(bytes[index..<index + length])
        }
        return (field(), field())
    }

    static func varint(_ value: Int) -> [UInt8] {
        var value = value, out: [UInt8] = []
        while value >= 0x80 {
            out.append(UInt8(value & 0x7f) | 0x80)
            value >>= 7
        }
        return out + [UInt8(value)]
    }

    static func stored() throws -> [Vector] {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return try decoder.decode([Vector].self, from: Data(contentsOf: file))
    }

    @Test func theFileMatchesTheFixedInputs() throws {
        let vectors = try Self.make()
        if ProcessInfo.processInfo.environment["GIUPXA_WRITE_VECTORS"] == "1" {
            let encoder = JSONEncoder()
            encoder.keyEncodingStrategy = .convertToSnakeCase
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            try (encoder.encode(vectors) + Data("\n".utf8)).write(to: Self.file)
        }
        #expect(try Self.stored() == vectors)
        #expect(vectors.map(\.compression) == [0, 1])
    }

    /// What another implementation does with the file: derive the keys from the credential,
    /// rebuild the bundle from the vector's own inputs, and check it.
    @Test func eachBundleIsRebuiltExactlyFromTheVectorsInputsAndVerifies() throws {
        for vector in try Self.stored() {
            let credential = try #require(SecureCredential(parsing: vector.credential))
            #expect(Self.hex(credential.secret) == vector.secretHex)
            #expect(Self.hex(credential.serverPublicKey) == vector.serverStaticPublicHex)
            let serverStatic = try Curve25519.KeyAgreement.PrivateKey(rawRepresentation: Data(Hex.decode(vector.serverStaticPrivateHex)!))
            #expect(Self.hex(serverStatic.publicKey.rawRepresentation) == vector.serverStaticPublicHex)
            #expect(Self.hex(credential.verifier.publicKey) == vector.credentialPublicKeyHex)
            #expect(Self.hex(credential.bundleSigningKey.rawRepresentation) == vector.bundleSigningPrivateHex)
            #expect(Self.hex(credential.verifier.bundlePublicKey) == vector.bundleSigningPublicHex)

            let visits = try vector.visits.map { try Giupxa_V1_Visit(jsonString: $0) }
            let created = Date(timeIntervalSince1970: Double(vector.createdTimeMs) / 1000)
            let rebuilt = VisitBundle.encode(
                agencyCode: vector.agencyCode, visits: visits, clientName: vector.clientName, credential: credential,
                now: created, compress: vector.compression == 1)
            #expect(Self.hex(rebuilt) == vector.bundleHex, "\(vector.name)")

            let bytes = try #require(Hex.decode(vector.bundleHex))
            // "GXB2" | varint L1 | header | varint L2 | payload | signature, nothing else.
            let header = try #require(Hex.decode(vector.headerHex)), payload = try #require(Hex.decode(vector.payloadHex))
            let signature = try #require(Hex.decode(vector.signatureHex))
            #expect(bytes == Array("GXB2".utf8) + Self.varint(header.count) + header + Self.varint(payload.count) + payload + signature)
            #expect(signature.count == 64)
            // The signature is Ed25519 over every byte before it, under the derived public key.
            let key = try Curve25519.Signing.PublicKey(rawRepresentation: Data(Hex.decode(vector.bundleSigningPublicHex)!))
            #expect(key.isValidSignature(Data(bytes.suffix(64)), for: Data(bytes.dropLast(64))))
            let envelope = try VisitBundle.read(bytes)
            #expect(envelope.format == .signed)
            #expect(Self.hex(envelope.credentialPublicKey) == vector.credentialPublicKeyHex)
            try envelope.verifySignature(bundlePublicKey: credential.verifier.bundlePublicKey)
            #expect(envelope.header.formatVersion == 2 && envelope.header.agencyCode == vector.agencyCode)
            #expect(envelope.header.compression == vector.compression && envelope.header.createdTimeMs == vector.createdTimeMs)
            #expect(try envelope.visits().visits == visits)
        }
    }
}
