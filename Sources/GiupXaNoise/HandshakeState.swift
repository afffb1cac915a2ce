public import Crypto
public import Foundation

/// Transport ciphers after `Split()`, oriented for one side, plus the handshake hash
/// (usable for channel binding).
public struct NoiseTransport: Sendable {
    public var send: CipherState
    public var receive: CipherState
    public let handshakeHash: Data

    public mutating func encrypt(_ plaintext: Data) throws(NoiseError) -> Data {
        guard plaintext.count + CipherState.tagLength <= HandshakeState.maxMessageLength else { throw .messageTooLong }
        return try send.encrypt(plaintext)
    }

    public mutating func decrypt(_ ciphertext: Data) throws(NoiseError) -> Data {
        guard ciphertext.count <= HandshakeState.maxMessageLength else { throw .messageTooLong }
        return try receive.decrypt(ciphertext)
    }
}

/// Noise `HandshakeState` (spec rev. 34, §5.3) for `25519_ChaChaPoly_SHA256`.
///
/// Any error during `writeMessage`/`readMessage` kills the handshake: later calls throw
/// `.wrongState`, so a peer cannot probe with retries on a half-updated state.
public struct HandshakeState: Sendable {
    public static let dhLength = 32
    public static let maxMessageLength = 65535

    private enum Phase: Sendable { case inProgress, finished, failed }

    public let pattern: HandshakePattern
    public let isInitiator: Bool
    private var symmetric: SymmetricState
    private var s: Curve25519.KeyAgreement.PrivateKey?
    private var e: Curve25519.KeyAgreement.PrivateKey?
    public private(set) var remoteStatic: Curve25519.KeyAgreement.PublicKey?
    public private(set) var remoteEphemeral: Curve25519.KeyAgreement.PublicKey?
    private var psks: [Data]
    private var messageIndex = 0
    private var phase = Phase.inProgress
    /// Set once the last handshake message has been written or read.
    public private(set) var transport: NoiseTransport?

    /// `Initialize(...)`.
    /// - Parameters:
    ///   - ephemeral: inject a fixed ephemeral key (test vectors only); otherwise a fresh random
    ///     key is generated when the `e` token is processed.
    ///   - psks: 32-byte pre-shared keys, consumed in order by `psk` tokens.
    ///   - pskLater: the psks will be given with `providePSK` before the message that needs
    ///     them (a responder learns which psk to use only from the initiator's static key).
    public init(
        pattern: HandshakePattern,
        initiator: Bool,
        prologue: Data = Data(),
        staticKey: Curve25519.KeyAgreement.PrivateKey? = nil,
        ephemeral: Curve25519.KeyAgreement.PrivateKey? = nil,
        remoteStatic: Curve25519.KeyAgreement.PublicKey? = nil,
        remoteEphemeral: Curve25519.KeyAgreement.PublicKey? = nil,
        psks: [Data] = [],
        pskLater: Bool = false
    ) throws(NoiseError) {
        guard pskLater || psks.count >= pattern.pskCount else { throw .missingKey("psk") }
        guard psks.allSatisfy({ $0.count == 32 }) else { throw .invalidKey }
        self.pattern = pattern
        self.isInitiator = initiator
        self.s = staticKey
        self.e = ephemeral
        self.remoteStatic = remoteStatic
        self.remoteEphemeral = remoteEphemeral
        self.psks = psks
        self.symmetric = SymmetricState(protocolName: pattern.protocolName)
        symmetric.mixHash(prologue)

        // Pre-messages: initiator's keys first, then the responder's.
        for (tokens, ownedByMe) in [(pattern.initiatorPreMessage, initiator), (pattern.responderPreMessage, !initiator)] {
            for token in tokens {
                let key: Data
                switch (token, ownedByMe) {
                case (.s, true):
                    guard let s else { throw .missingKey("s") }
                    key = s.publicKey.rawRepresentation
                case (.s, false):
                    guard let remoteStatic else { throw .missingKey("rs") }
                    key = remoteStatic.rawRepresentation
                case (.e, true):
                    guard let e else { throw .missingKey("e") }
                    key = e.publicKey.rawRepresentation
                case (.e, false):
                    guard let remoteEphemeral else { throw .missingKey("re") }
                    key = remoteEphemeral.rawRepresentation
                default:
                    throw .wrongState
                }
                symmetric.mixHash(key)
                if token == .e && pattern.usesPSK { symmetric.mixKey(key) }
            }
        }
    }

    /// Supplies a psk announced with `pskLater`; it is consumed by the next `psk` token.
    public mutating func providePSK(_ psk: Data) throws(NoiseError) {
        guard psk.count == 32 else { throw .invalidKey }
        psks.append(psk)
    }

    /// `GetHandshakeHash()`.
    public var handshakeHash: Data { symmetric.handshakeHash }

    /// True once every message of the pattern has been processed.
    public var isFinished: Bool { phase == .finished }

    /// True when the next message is ours to write.
    public var isMyTurn: Bool { phase == .inProgress && (messageIndex % 2 == 0) == isInitiator }

    /// `WriteMessage(payload, message_buffer)`.
    public mutating func writeMessage(_ payload: Data = Data()) throws(NoiseError) -> Data {
        guard isMyTurn else { throw .wrongState }
        do {
            let out = try write(payload)
            advance()
            return out
        } catch {
            phase = .failed
            throw error
        }
    }

    /// `ReadMessage(message, payload_buffer)`: returns the decrypted payload.
    public mutating func readMessage(_ message: Data) throws(NoiseError) -> Data {
        guard phase == .inProgress, !isMyTurn else { throw .wrongState }
        do {
            let payload = try read(message)
            advance()
            return payload
        } catch {
            phase = .failed
            throw error
        }
    }

    // MARK: - Internals

    private mutating func advance() {
        messageIndex += 1
        guard messageIndex == pattern.messages.count else { return }
        phase = .finished
        let (c1, c2) = symmetric.split()
        transport = isInitiator
            ? NoiseTransport(send: c1, receive: c2, handshakeHash: symmetric.handshakeHash)
            : NoiseTransport(send: c2, receive: c1, handshakeHash: symmetric.handshakeHash)
        // Drop key material no longer needed.
        e = nil
    }

    private mutating func write(_ payload: Data) throws(NoiseError) -> Data {
        var buffer = Data()
        for token in pattern.messages[messageIndex] {
            switch token {
            case .e:
                let ephemeral = e ?? Curve25519.KeyAgreement.PrivateKey()
                e = ephemeral
                let pub = ephemeral.publicKey.rawRepresentation
                buffer.append(pub)
                symmetric.mixHash(pub)
                if pattern.usesPSK { symmetric.mixKey(pub) }
            case .s:
                guard let s else { throw .missingKey("s") }
                buffer.append(try symmetric.encryptAndHash(s.publicKey.rawRepresentation))
            case .psk:
                symmetric.mixKeyAndHash(try nextPSK())
            case .ee, .es, .se, .ss:
                symmetric.mixKey(try dh(token))
            }
        }
        buffer.append(try symmetric.encryptAndHash(payload))
        guard buffer.count <= Self.maxMessageLength else { throw .messageTooLong }
        return buffer
    }

    private mutating func read(_ message: Data) throws(NoiseError) -> Data {
        guard message.count <= Self.maxMessageLength else { throw .messageTooLong }
        var rest = message[...]
        for token in pattern.messages[messageIndex] {
            switch token {
            case .e:
                guard rest.count >= Self.dhLength else { throw .messageTooShort }
                let pub = Data(rest.prefix(Self.dhLength))
                rest = rest.dropFirst(Self.dhLength)
                remoteEphemeral = try publicKey(pub)
                symmetric.mixHash(pub)
                if pattern.usesPSK { symmetric.mixKey(pub) }
            case .s:
                let length = Self.dhLength + (symmetric.cipherState.hasKey ? CipherState.tagLength : 0)
                guard rest.count >= length else { throw .messageTooShort }
                let temp = Data(rest.prefix(length))
                rest = rest.dropFirst(length)
                remoteStatic = try publicKey(try symmetric.decryptAndHash(temp))
            case .psk:
                symmetric.mixKeyAndHash(try nextPSK())
            case .ee, .es, .se, .ss:
                symmetric.mixKey(try dh(token))
            }
        }
        return try symmetric.decryptAndHash(Data(rest))
    }

    private mutating func nextPSK() throws(NoiseError) -> Data {
        guard !psks.isEmpty else { throw .missingKey("psk") }
        return psks.removeFirst()
    }

    private func publicKey(_ raw: Data) throws(NoiseError) -> Curve25519.KeyAgreement.PublicKey {
        do {
            return try Curve25519.KeyAgreement.PublicKey(rawRepresentation: raw)
        } catch {
            throw .invalidKey
        }
    }

    /// DH for `ee`/`es`/`se`/`ss`. The first letter is the initiator's key, the second the
    /// responder's; each side uses its own private key and the peer's public key.
    private func dh(_ token: NoiseToken) throws(NoiseError) -> Data {
        let initiatorKeyIsE: Bool
        let responderKeyIsE: Bool
        switch token {
        case .ee: (initiatorKeyIsE, responderKeyIsE) = (true, true)
        case .es: (initiatorKeyIsE, responderKeyIsE) = (true, false)
        case .se: (initiatorKeyIsE, responderKeyIsE) = (false, true)
        case .ss: (initiatorKeyIsE, responderKeyIsE) = (false, false)
        default: throw .wrongState
        }
        let localIsE = isInitiator ? initiatorKeyIsE : responderKeyIsE
        let remoteIsE = isInitiator ? responderKeyIsE : initiatorKeyIsE
        guard let local = localIsE ? e : s else { throw .missingKey(localIsE ? "e" : "s") }
        guard let remote = remoteIsE ? remoteEphemeral : remoteStatic else {
            throw .missingKey(remoteIsE ? "re" : "rs")
        }
        do {
            let shared = try local.sharedSecretFromKeyAgreement(with: remote)
            return shared.withUnsafeBytes { Data($0) }
        } catch {
            throw .invalidKey
        }
    }
}
