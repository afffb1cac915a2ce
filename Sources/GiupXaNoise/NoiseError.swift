/// Errors raised by the Noise handshake and transport ciphers.
///
/// Every failure on hostile input (truncated, tampered or oversized bytes) surfaces as one of
/// these; nothing in this module traps on peer-supplied data.
public enum NoiseError: Error, Equatable, Sendable {
    /// AEAD authentication failed (tampered ciphertext, wrong key, wrong associated data).
    case decryptionFailed
    /// The message ended before a public key or authentication tag could be read.
    case messageTooShort
    /// A Noise message may not exceed 65535 bytes.
    case messageTooLong
    /// The call does not fit the handshake's current state (wrong turn, already finished,
    /// or a previous step failed and the handshake is dead).
    case wrongState
    /// A key the pattern needs was not supplied (`s`, `rs`, or a psk).
    case missingKey(String)
    /// A public key or psk has the wrong length, or a DH produced an all-zero output.
    case invalidKey
    /// The 64-bit nonce is exhausted (2^64-1 is reserved by the spec).
    case nonceExhausted
}
