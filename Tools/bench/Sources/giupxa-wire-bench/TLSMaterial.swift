// Built only with the Peers trait (the default); CI's quick build leaves gRPC and HTTP out.
#if Peers
import Crypto
import Foundation
import NIOSSL
import SwiftASN1
import X509

/// A throwaway CA and a server certificate for 127.0.0.1, made at start. P-256 ECDSA keys and a
/// one-certificate chain (the server sends only its leaf): the smallest TLS handshake a real
/// deployment could have. A public CA chain (leaf + intermediate, often RSA) adds 1–3 KB to every
/// handshake, so these numbers are TLS's best case.
struct TLSMaterial: Sendable {
    let caPEM: String
    let leafPEM: String
    let leafKeyPEM: String
    let leafDERSize: Int

    static func make() throws -> TLSMaterial {
        let now = Date()
        let caKey = P256.Signing.PrivateKey()
        let caName = try DistinguishedName { CommonName("GiupXa bench CA") }
        let ca = try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: .init(caKey.publicKey),
            notValidBefore: now.addingTimeInterval(-3600), notValidAfter: now.addingTimeInterval(30 * 86400),
            issuer: caName, subject: caName, signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.isCertificateAuthority(maxPathLength: 0))
                Critical(KeyUsage(keyCertSign: true))
            },
            issuerPrivateKey: .init(caKey))
        let leafKey = P256.Signing.PrivateKey()
        let leaf = try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: .init(leafKey.publicKey),
            notValidBefore: now.addingTimeInterval(-3600), notValidAfter: now.addingTimeInterval(30 * 86400),
            issuer: caName, subject: try DistinguishedName { CommonName("giupxa-bench") },
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.notCertificateAuthority)
                Critical(KeyUsage(digitalSignature: true))
                try ExtendedKeyUsage([.serverAuth])
                SubjectAlternativeNames([.ipAddress(ASN1OctetString(contentBytes: [127, 0, 0, 1])), .dnsName("localhost")])
            },
            issuerPrivateKey: .init(caKey))
        var serializer = DER.Serializer()
        try serializer.serialize(leaf)
        return TLSMaterial(
            caPEM: try ca.serializeAsPEM().pemString,
            leafPEM: try leaf.serializeAsPEM().pemString,
            leafKeyPEM: leafKey.pemRepresentation,
            leafDERSize: serializer.serializedBytes.count)
    }
}

/// Which key exchange TLS offers. swift-nio-ssl's default (what grpc-swift-nio-transport's
/// `.tls` and Hummingbird/async-http-client get) puts the post-quantum hybrid X25519MLKEM768
/// first: its key shares add about 1.2 KB to the ClientHello and 1.1 KB to the ServerHello.
/// GiupXa's Noise handshake is classical X25519, so `.x25519` is the like-for-like comparison.
enum KeyExchange: String, Codable, Sendable {
    case shipped
    case x25519

    var curves: [NIOTLSCurve]? { self == .x25519 ? [.x25519] : nil }
    var suffix: String { self == .x25519 ? " X25519" : "" }
}

extension TLSMaterial {
    /// What grpc-swift-nio-transport builds from its server `.tls` settings, with a key exchange choice.
    func serverConfiguration(_ keyExchange: KeyExchange, alpn: [String]) throws -> TLSConfiguration {
        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: try NIOSSLCertificate.fromPEMBytes(Array(leafPEM.utf8)).map { .certificate($0) },
            privateKey: .privateKey(try NIOSSLPrivateKey(bytes: Array(leafKeyPEM.utf8), format: .pem)))
        configuration.minimumTLSVersion = .tlsv12
        configuration.applicationProtocols = alpn
        configuration.curves = keyExchange.curves
        return configuration
    }

    /// What grpc-swift-nio-transport builds from its client `.tls` settings (trusting our CA,
    /// full verification), with a key exchange choice.
    func clientConfiguration(_ keyExchange: KeyExchange, alpn: [String]) throws -> TLSConfiguration {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.minimumTLSVersion = .tlsv12
        configuration.trustRoots = .certificates(try NIOSSLCertificate.fromPEMBytes(Array(caPEM.utf8)))
        configuration.certificateVerification = .fullVerification
        configuration.applicationProtocols = alpn
        configuration.curves = keyExchange.curves
        return configuration
    }
}
#endif
