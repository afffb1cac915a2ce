import Crypto
import Foundation
import GiupXaMessages
import GiupXaModels
import GiupXaProtocol
import Testing

/// The bundle format (PROTOCOL.md §15): format 2 is authenticated by the credential's
/// signature over every byte; format 1's checksum authenticates nothing.
@Suite struct VisitBundleTests {
    static let serverKey = Curve25519.KeyAgreement.PrivateKey().publicKey.rawRepresentation
    static let credential = SecureCredential.generate(serverPublicKey: serverKey)

    static func visits(_ count: Int = 3) -> [Giupxa_V1_Visit] {
        (0..<count).map { day in
            let start = VietnameseFormat.parseDateTime("12/03/2019 08:00")!.addingTimeInterval(Double(day) * 86_400)
            return Giupxa_V1_Visit(Visit(
                communeCode: "03376", start: start, end: start.addingTimeInterval(6 * 3600),
                cadres: [Cadre(name: "Lò Văn Minh", position: "Phó Giám đốc Sở")],
                results: "Hoàn thành kế hoạch, đợt \(day)").normalized())
        }
    }

    static func signed(_ visits: [Giupxa_V1_Visit] = visits(), compress: Bool = true) -> [UInt8] {
        VisitBundle.encode(agencyCode: "STNMT", visits: visits, clientName: "test", credential: credential, compress: compress)
    }

    @Test(arguments: [false, true])
    func aSignedBundleReadsVerifiesAndDecodes(compress: Bool) throws {
        let visits = Self.visits()
        let bytes = Self.signed(visits, compress: compress)
        #expect(Array(bytes.prefix(4)) == Array("GXB2".utf8))
        let envelope = try VisitBundle.read(bytes)
        #expect(envelope.format == .signed)
        #expect(envelope.header.formatVersion == 2 && envelope.header.agencyCode == "STNMT")
        #expect(envelope.credentialPublicKey == Self.credential.verifier.publicKey)
        #expect(envelope.header.compression == (compress ? 1 : 0))
        #expect(envelope.signedBytes + envelope.signature == bytes)
        try envelope.verifySignature(bundlePublicKey: Self.credential.verifier.bundlePublicKey)
        #expect(try envelope.visits().visits == visits)
    }

    @Test func signingIsDeterministicAndItsKeyIsItsOwnDerivation() {
        let created = Date(timeIntervalSince1970: 1_552_380_000)
        let visits = Self.visits()
        let a = VisitBundle.encode(agencyCode: "STNMT", visits: visits, clientName: "t", credential: Self.credential, now: created)
        let b = VisitBundle.encode(agencyCode: "STNMT", visits: visits, clientName: "t", credential: Self.credential, now: created)
        #expect(a == b)
        let keys = [
            Self.credential.bundleSigningKey.rawRepresentation, Self.credential.staticKey.rawRepresentation, Self.credential.psk,
        ]
        #expect(Set(keys).count == 3)
        #expect(Self.credential.verifier.bundlePublicKey.count == 32)
    }

    /// Any single changed byte — magic, header (agency, credential, counts), payload or
    /// signature — is refused by the structure check or by the signature.
    @Test func everySingleByteChangeIsRefused() throws {
        let bytes = Self.signed(Self.visits(2), compress: false)
        let key = Self.credential.verifier.bundlePublicKey
        for index in bytes.indices {
            var altered = bytes
            altered[index] ^= 0x01
            #expect(throws: VisitBundle.Failure.self, "byte \(index)") {
                try VisitBundle.read(altered).verifySignature(bundlePublicKey: key)
            }
        }
    }

    @Test func aChangedVisitWithItsSignatureLeftIsRefused() throws {
        let bytes = Self.signed(Self.visits(1), compress: false)
        // The results text sits in the payload, just before the signature.
        let text = Array("đợt 0".utf8)
        let at = try #require(bytes.indices.last { Array(bytes[$0..<min($0 + text.count, bytes.count)]) == text })
        var altered = bytes
        altered[at + text.count - 1] = UInt8(ascii: "9")
        let envelope = try VisitBundle.read(altered)  // the structure is intact
        #expect(throws: VisitBundle.Failure.badSignature) {
            try envelope.verifySignature(bundlePublicKey: Self.credential.verifier.bundlePublicKey)
        }
        // Re-hashing instead of re-signing: a SHA-256 where the signature was is not a bundle.
        let rehashed = Array(altered.dropLast(64)) + Array(SHA256.hash(data: Array(altered.dropLast(64))))
        #expect(throws: VisitBundle.Failure.self) { try VisitBundle.read(rehashed).verifySignature(bundlePublicKey: Self.credential.verifier.bundlePublicKey) }
    }

    @Test func anotherCredentialsKeyDoesNotVerify() throws {
        let other = SecureCredential.generate(serverPublicKey: Self.serverKey)
        let envelope = try VisitBundle.read(Self.signed())
        #expect(throws: VisitBundle.Failure.badSignature) { try envelope.verifySignature(bundlePublicKey: other.verifier.bundlePublicKey) }
        #expect(throws: VisitBundle.Failure.badSignature) { try envelope.verifySignature(bundlePublicKey: Data(repeating: 0, count: 7)) }
    }

    @Test func formatOneIsReadAsUnsignedWithItsChecksumChecked() throws {
        let visits = Self.visits()
        let bytes = VisitBundle.encodeUnsigned(agencyCode: "STNMT", visits: visits, clientName: "giupxa/0.1")
        #expect(Array(bytes.prefix(4)) == Array("GXB1".utf8))
        let envelope = try VisitBundle.read(bytes)
        #expect(envelope.format == .unsigned && envelope.header.formatVersion == 1 && envelope.signature.isEmpty)
        #expect(throws: VisitBundle.Failure.badSignature) {
            try envelope.verifySignature(bundlePublicKey: Self.credential.verifier.bundlePublicKey)
        }
        #expect(try envelope.visits().visits == visits)
        var damaged = bytes
        damaged[damaged.count / 2] ^= 0x40
        #expect(throws: VisitBundle.Failure.checksumMismatch) { try VisitBundle.read(damaged) }
    }

    @Test func truncatedPaddedAndForeignFilesAreRefused() {
        let bytes = Self.signed()
        #expect(throws: VisitBundle.Failure.notABundle) { try VisitBundle.read(Array("PK\u{3}\u{4}".utf8) + bytes.dropFirst(4)) }
        #expect(throws: VisitBundle.Failure.self) { try VisitBundle.read(Array(bytes.dropLast())) }
        #expect(throws: VisitBundle.Failure.self) { try VisitBundle.read(bytes + [0]) }
        #expect(throws: VisitBundle.Failure.self) { try VisitBundle.read(Array(bytes.prefix(4))) }
        // A format-2 magic on a format-1 header.
        let v1 = VisitBundle.encodeUnsigned(agencyCode: "STNMT", visits: Self.visits(), clientName: "t")
        #expect(throws: VisitBundle.Failure.self) { try VisitBundle.read(Array("GXB2".utf8) + v1.dropFirst(4) + [UInt8](repeating: 0, count: 32)) }
    }
}
