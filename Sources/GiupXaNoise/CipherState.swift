public import Crypto
public import Foundation

/// Noise `CipherState` (spec rev. 34, §5.1) for ChaChaPoly: a 32-byte key `k` (or none) and a
/// 64-bit nonce `n`. The 96-bit AEAD nonce is 32 zero bits followed by `n` little-endian.
public struct CipherState: Sendable {
    public static let tagLength = 16

    private var key: SymmetricKey?
    /// Next nonce to use.
    public private(set) var nonce: UInt64 = 0

    /// `InitializeKey(key)`: sets `k` and resets `n` to zero.
    public init(key: SymmetricKey? = nil) {
        self.key = key
        self.nonce = 0
    }

    /// `HasKey()`.
    public var hasKey: Bool { key != nil }

    /// `SetNonce(nonce)`.
    public mutating func setNonce(_ nonce: UInt64) {
        self.nonce = nonce
    }

    /// `EncryptWithAd(ad, plaintext)`: returns the plaintext unchanged when there is no key.
    public mutating func encrypt(_ plaintext: Data, ad: Data = Data()) throws(NoiseError) -> Data {
        guard let key else { return plaintext.zeroBased }
        guard nonce != UInt64.max else { throw .nonceExhausted }
        let out = try Self.seal(plaintext, key: key, nonce: nonce, ad: ad)
        nonce += 1
        return out
    }

    /// `DecryptWithAd(ad, ciphertext)`: on authentication failure `n` is not incremented.
    public mutating func decrypt(_ ciphertext: Data, ad: Data = Data()) throws(NoiseError) -> Data {
        guard let key else { return ciphertext.zeroBased }
        guard nonce != UInt64.max else { throw .nonceExhausted }
        let out = try Self.open(ciphertext, key: key, nonce: nonce, ad: ad)
        nonce += 1
        return out
    }

    /// `Rekey()` (spec §11.3 default): `k = ENCRYPT(k, 2^64-1, zerolen, zeros[32])[0..<32]`.
    /// Does not touch the nonce. A no-op without a key.
    public mutating func rekey() throws(NoiseError) {
        guard let key else { return }
        let out = try Self.seal(Data(count: 32), key: key, nonce: UInt64.max, ad: Data())
        self.key = SymmetricKey(data: out.prefix(32))
    }

    // MARK: - ChaChaPoly primitives

    static func nonceBytes(_ n: UInt64) -> Data {
        var bytes = Data(count: 4)
        withUnsafeBytes(of: n.littleEndian) { bytes.append(contentsOf: $0) }
        return bytes
    }

    private static func seal(_ plaintext: Data, key: SymmetricKey, nonce: UInt64, ad: Data) throws(NoiseError) -> Data {
        do {
            let box = try ChaChaPoly.seal(
                plaintext, using: key, nonce: ChaChaPoly.Nonce(data: nonceBytes(nonce)), authenticating: ad)
            // Build a fresh zero-based buffer: `box.ciphertext` may be a slice whose indices
            // do not start at 0, and callers index the result directly.
            var out = Data(capacity: box.ciphertext.count + tagLength)
            out.append(contentsOf: box.ciphertext)
            out.append(contentsOf: box.tag)
            return out
        } catch {
            throw .invalidKey
        }
    }

    private static func open(_ ciphertext: Data, key: SymmetricKey, nonce: UInt64, ad: Data) throws(NoiseError) -> Data {
        guard ciphertext.count >= tagLength else { throw .messageTooShort }
        let body = Data(ciphertext.prefix(ciphertext.count - tagLength))
        let tag = Data(ciphertext.suffix(tagLength))
        do {
            let box = try ChaChaPoly.SealedBox(
                nonce: ChaChaPoly.Nonce(data: nonceBytes(nonce)), ciphertext: body, tag: tag)
            let plaintext = try ChaChaPoly.open(box, using: key, authenticating: ad)
            return plaintext.zeroBased
        } catch {
            throw .decryptionFailed
        }
    }
}

extension Data {
    /// A copy whose indices start at 0. Slices of `Data` keep their parent's indices, so a
    /// payload cut out of a larger message would otherwise trap when a caller writes `data[0]`.
    var zeroBased: Data {
        var out = Data(capacity: count)
        out.append(contentsOf: self)
        return out
    }
}
