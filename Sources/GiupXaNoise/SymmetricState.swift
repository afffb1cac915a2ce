import Crypto
public import Foundation

/// Noise `SymmetricState` (spec rev. 34, §5.2) with HASH = SHA-256 (HASHLEN 32) and HKDF built
/// from HMAC-SHA256 exactly as §4.3 describes.
public struct SymmetricState: Sendable {
    public static let hashLength = 32

    public private(set) var cipherState = CipherState()
    /// Chaining key `ck`.
    private(set) var chainingKey: Data
    /// Handshake hash `h`.
    private(set) var h: Data

    /// `InitializeSymmetric(protocol_name)`.
    public init(protocolName: String) {
        let name = Data(protocolName.utf8)
        if name.count <= Self.hashLength {
            h = name + Data(count: Self.hashLength - name.count)
        } else {
            h = Data(SHA256.hash(data: name))
        }
        chainingKey = h
    }

    /// `MixKey(input_key_material)`.
    public mutating func mixKey(_ inputKeyMaterial: Data) {
        let out = Self.hkdf(chainingKey: chainingKey, inputKeyMaterial: inputKeyMaterial, outputs: 2)
        chainingKey = out[0]
        cipherState = CipherState(key: SymmetricKey(data: out[1]))
    }

    /// `MixHash(data)`.
    public mutating func mixHash(_ data: Data) {
        var hasher = SHA256()
        hasher.update(data: h)
        hasher.update(data: data)
        h = Data(hasher.finalize())
    }

    /// `MixKeyAndHash(input_key_material)` (used for psk tokens).
    public mutating func mixKeyAndHash(_ inputKeyMaterial: Data) {
        let out = Self.hkdf(chainingKey: chainingKey, inputKeyMaterial: inputKeyMaterial, outputs: 3)
        chainingKey = out[0]
        mixHash(out[1])
        cipherState = CipherState(key: SymmetricKey(data: out[2]))
    }

    /// `GetHandshakeHash()`.
    public var handshakeHash: Data { h }

    /// `EncryptAndHash(plaintext)`.
    public mutating func encryptAndHash(_ plaintext: Data) throws(NoiseError) -> Data {
        let ciphertext = try cipherState.encrypt(plaintext, ad: h)
        mixHash(ciphertext)
        return ciphertext
    }

    /// `DecryptAndHash(ciphertext)`.
    public mutating func decryptAndHash(_ ciphertext: Data) throws(NoiseError) -> Data {
        let plaintext = try cipherState.decrypt(ciphertext, ad: h)
        mixHash(ciphertext)
        return plaintext
    }

    /// `Split()`: the first CipherState is initiator→responder, the second responder→initiator.
    public func split() -> (CipherState, CipherState) {
        let out = Self.hkdf(chainingKey: chainingKey, inputKeyMaterial: Data(), outputs: 2)
        return (CipherState(key: SymmetricKey(data: out[0])), CipherState(key: SymmetricKey(data: out[1])))
    }

    /// `HKDF(chaining_key, input_key_material, num_outputs)` from spec §4.3.
    static func hkdf(chainingKey: Data, inputKeyMaterial: Data, outputs: Int) -> [Data] {
        let tempKey = SymmetricKey(data: hmac(key: SymmetricKey(data: chainingKey), inputKeyMaterial))
        var results: [Data] = []
        var previous = Data()
        for i in 1...outputs {
            previous = hmac(key: tempKey, previous + Data([UInt8(i)]))
            results.append(previous)
        }
        return results
    }

    private static func hmac(key: SymmetricKey, _ data: Data) -> Data {
        Data(HMAC<SHA256>.authenticationCode(for: data, using: key))
    }
}
