public import Crypto
public import Foundation

/// A v2 credential as the operator hands it out: `"gx2_"` + base64url (no padding) of a
/// 32-byte secret followed by the server's 32-byte static public key — 90 ASCII characters.
///
/// The client derives everything it needs from it (PROTOCOL.md §12): its X25519 static key,
/// its psk and its bundle-signing key (§15), by HKDF-SHA256. The server keeps only the derived
/// public keys and psk (`CredentialVerifier`), none of which lets anyone complete a handshake
/// or sign a bundle.
public struct SecureCredential: Sendable, Hashable {
    public static let prefix = "gx2_"

    public let secret: Data
    public let serverPublicKey: Data

    public init(secret: Data, serverPublicKey: Data) {
        self.secret = secret
        self.serverPublicKey = serverPublicKey
    }

    /// A fresh credential bound to the server's static public key.
    public static func generate(serverPublicKey: Data) -> SecureCredential {
        SecureCredential(secret: SymmetricKey(size: .bits256).withUnsafeBytes { Data($0) }, serverPublicKey: serverPublicKey)
    }

    /// Parses the text form; nil for anything that is not a well-formed v2 credential.
    public init?(parsing text: String) {
        guard text.hasPrefix(Self.prefix), let raw = Base64URL.decode(String(text.dropFirst(Self.prefix.count))),
              raw.count == 64
        else { return nil }
        self.init(secret: raw.prefix(32), serverPublicKey: raw.suffix(32))
    }

    public var text: String { Self.prefix + Base64URL.encode(secret + serverPublicKey) }

    /// The client's static key pair for the Noise handshake.
    public var staticKey: Curve25519.KeyAgreement.PrivateKey {
        // X25519 accepts any 32 bytes (it clamps), so the derived bytes are always a valid key.
        try! Curve25519.KeyAgreement.PrivateKey(rawRepresentation: derive("giupxa v2 client static"))
    }

    /// The pre-shared key mixed into the handshake's second message (IKpsk2).
    public var psk: Data { derive("giupxa v2 psk") }

    /// The Ed25519 key that signs this credential's offline bundles (PROTOCOL.md §15). Its own
    /// derivation, so a signature can never be mistaken for, or help forge, a handshake.
    public var bundleSigningKey: Curve25519.Signing.PrivateKey {
        // An Ed25519 private key is any 32-byte seed.
        try! Curve25519.Signing.PrivateKey(rawRepresentation: derive("giupxa v2 bundle signing"))
    }

    /// What the server stores to verify this credential.
    public var verifier: CredentialVerifier {
        CredentialVerifier(
            publicKey: staticKey.publicKey.rawRepresentation, psk: psk,
            bundlePublicKey: bundleSigningKey.publicKey.rawRepresentation)
    }

    private func derive(_ info: String) -> Data {
        HKDF<SHA256>.deriveKey(inputKeyMaterial: SymmetricKey(data: secret), info: Data(info.utf8), outputByteCount: 32)
            .withUnsafeBytes { Data($0) }
    }
}

/// The server's record of a credential: the client's static public key (its identity in the
/// handshake), the psk and the bundle-signing public key. None can be turned back into the secret.
public struct CredentialVerifier: Sendable, Hashable {
    public var publicKey: Data
    public var psk: Data
    /// Ed25519 public key checking the credential's bundle signatures (32 bytes).
    public var bundlePublicKey: Data

    public init(publicKey: Data, psk: Data, bundlePublicKey: Data) {
        self.publicKey = publicKey
        self.psk = psk
        self.bundlePublicKey = bundlePublicKey
    }
}

/// RFC 4648 §5 base64url without padding.
enum Base64URL {
    static func encode(_ data: Data) -> String {
        data.base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    static func decode(_ text: String) -> Data? {
        guard text.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }) else { return nil }
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        return Data(base64Encoded: base64)
    }
}
