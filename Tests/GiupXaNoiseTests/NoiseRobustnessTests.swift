import Crypto
import Foundation
import GiupXaNoise
import Testing

/// Random-key peers for a pattern: each side gets what the pattern's pre-messages require.
func makePeers(
    _ pattern: HandshakePattern, psk: Data = Data((0..<32).map { UInt8($0) }), responderPSK: Data? = nil
) throws -> (initiator: HandshakeState, responder: HandshakeState) {
    let initiatorStatic = Curve25519.KeyAgreement.PrivateKey()
    let responderStatic = Curve25519.KeyAgreement.PrivateKey()
    let psks = pattern.usesPSK ? [psk] : []
    let responderPSKs = pattern.usesPSK ? [responderPSK ?? psk] : []
    let prologue = Data("GiupXa test".utf8)
    let initiator = try HandshakeState(
        pattern: pattern, initiator: true, prologue: prologue, staticKey: initiatorStatic,
        remoteStatic: pattern.responderPreMessage.contains(.s) ? responderStatic.publicKey : nil, psks: psks)
    let responder = try HandshakeState(
        pattern: pattern, initiator: false, prologue: prologue, staticKey: responderStatic, psks: responderPSKs)
    return (initiator, responder)
}

/// Runs a full handshake; returns both transports.
private func handshake(_ i: inout HandshakeState, _ r: inout HandshakeState) throws -> (NoiseTransport, NoiseTransport) {
    for index in 0..<i.pattern.messages.count {
        let payload = Data("msg \(index)".utf8)
        if index % 2 == 0 {
            #expect(try r.readMessage(i.writeMessage(payload)) == payload)
        } else {
            #expect(try i.readMessage(r.writeMessage(payload)) == payload)
        }
    }
    return (try #require(i.transport), try #require(r.transport))
}

/// Runs a handshake with random keys, passing each handshake message through `mutate`.
/// Returns the first NoiseError thrown, or nil if the handshake completed and transports agree.
func runHandshake(_ pattern: HandshakePattern, mutate: (Int, Data) -> Data) -> NoiseError? {
    do {
        var (i, r) = try makePeers(pattern)
        for index in 0..<pattern.messages.count {
            if index % 2 == 0 {
                _ = try r.readMessage(mutate(index, i.writeMessage(Data("p\(index)".utf8))))
            } else {
                _ = try i.readMessage(mutate(index, r.writeMessage(Data("p\(index)".utf8))))
            }
        }
        guard var it = i.transport, var rt = r.transport else { return .wrongState }
        _ = try rt.decrypt(it.encrypt(Data("t".utf8)))
        return nil
    } catch let error as NoiseError {
        return error
    } catch {
        return .wrongState
    }
}

@Suite("Noise handshake robustness")
struct NoiseRobustnessTests {
    @Test("both sides derive the same transport keys with random keys", arguments: HandshakePattern.all)
    func randomKeysAgree(_ pattern: HandshakePattern) throws {
        var (i, r) = try makePeers(pattern)
        var (it, rt) = try handshake(&i, &r)
        #expect(i.isFinished && r.isFinished)
        #expect(it.handshakeHash == rt.handshakeHash)
        #expect(it.handshakeHash.count == 32)
        for n in 0..<3 {
            let a = Data("from initiator \(n)".utf8)
            let b = Data("from responder \(n)".utf8)
            #expect(try rt.decrypt(it.encrypt(a)) == a)
            #expect(try it.decrypt(rt.encrypt(b)) == b)
        }
        // Directions use distinct keys: a message cannot be reflected back to its sender.
        let c = try it.encrypt(Data("x".utf8))
        #expect(throws: NoiseError.decryptionFailed) { try it.decrypt(c) }
    }

    @Test("random ephemerals differ between runs")
    func ephemeralsAreRandom() throws {
        var (i1, _) = try makePeers(.NN)
        var (i2, _) = try makePeers(.NN)
        #expect(try i1.writeMessage().prefix(32) != i2.writeMessage().prefix(32))
    }

    /// Spec note: a message sent before any key exists (the first `e` of NN/XX) carries no
    /// tag, so tampering with it is caught one message later, when the transcript hash `h`
    /// no longer matches. Either way the handshake must fail with a typed error.
    @Test("a tampered handshake message is refused", arguments: HandshakePattern.all)
    func tamperedHandshake(_ pattern: HandshakePattern) throws {
        for target in 0..<pattern.messages.count {
            for byte in [0, -1] {  // first byte (ephemeral key) and last byte (tag / payload)
                let error = runHandshake(pattern) { index, message in
                    guard index == target else { return message }
                    var copy = message
                    copy[byte < 0 ? copy.count - 1 : byte] ^= 0x01
                    return copy
                }
                #expect(error == .decryptionFailed, "message \(target), byte \(byte)")
            }
        }
    }

    @Test("a tampered authenticated message is refused immediately and kills the handshake")
    func tamperedIsFatal() throws {
        var (i, r) = try makePeers(.IK)
        var message = try i.writeMessage(Data("hello".utf8))
        message[message.count - 1] ^= 0x01
        #expect(throws: NoiseError.decryptionFailed) { try r.readMessage(message) }
        message[message.count - 1] ^= 0x01
        #expect(throws: NoiseError.wrongState) { try r.readMessage(message) }
    }

    @Test("a tampered ephemeral key in IK breaks authentication")
    func tamperedEphemeral() throws {
        var (i, r) = try makePeers(.IK)
        var message = try i.writeMessage()
        message[0] ^= 0x80
        #expect(throws: NoiseError.decryptionFailed) { try r.readMessage(message) }
    }

    @Test("a truncated handshake message is refused", arguments: HandshakePattern.all)
    func truncatedHandshake(_ pattern: HandshakePattern) throws {
        for target in 0..<pattern.messages.count {
            var length = 0
            while true {
                var full = 0
                let error = runHandshake(pattern) { index, message in
                    guard index == target else { return message }
                    full = message.count
                    return message.prefix(length)
                }
                if length >= full { break }
                #expect(error != nil, "message \(target) cut to \(length) of \(full) bytes was accepted")
                if length < 32 {
                    #expect(error == .messageTooShort, "message \(target) cut to \(length)")
                } else {
                    #expect(error == .messageTooShort || error == .decryptionFailed)
                }
                length += 1
            }
        }
        var (i, r) = try makePeers(pattern)
        let genuine = try i.writeMessage()
        #expect(throws: NoiseError.messageTooShort) { try r.readMessage(genuine.prefix(31)) }
    }

    @Test("truncating the payload tag of a keyed message reports messageTooShort")
    func truncatedTag() throws {
        var (i, r) = try makePeers(.IK)
        let message = try i.writeMessage()  // e(32) + enc s(48) + empty payload tag(16) = 96
        #expect(message.count == 96)
        #expect(throws: NoiseError.messageTooShort) { try r.readMessage(message.prefix(90)) }
    }

    @Test("psk mismatch is detected")
    func pskMismatch() throws {
        var (i, r) = try makePeers(.NNpsk0, psk: Data(repeating: 1, count: 32), responderPSK: Data(repeating: 2, count: 32))
        #expect(throws: NoiseError.decryptionFailed) { try r.readMessage(i.writeMessage()) }

        var (i2, r2) = try makePeers(.IKpsk2, psk: Data(repeating: 1, count: 32), responderPSK: Data(repeating: 2, count: 32))
        _ = try r2.readMessage(i2.writeMessage())  // psk only enters in message 2
        #expect(throws: NoiseError.decryptionFailed) { try i2.readMessage(r2.writeMessage()) }
    }

    @Test("wrong turn, missing keys and bad psk length are typed errors")
    func stateErrors() throws {
        var (i, r) = try makePeers(.XX)
        #expect(throws: NoiseError.wrongState) { try r.writeMessage() }
        #expect(throws: NoiseError.wrongState) { try i.readMessage(Data(count: 64)) }
        #expect(throws: NoiseError.missingKey("rs")) { try HandshakeState(pattern: .IK, initiator: true) }
        #expect(throws: NoiseError.missingKey("psk")) { try HandshakeState(pattern: .NNpsk0, initiator: true) }
        #expect(throws: NoiseError.invalidKey) {
            try HandshakeState(pattern: .NNpsk0, initiator: true, psks: [Data(count: 31)])
        }
        var (i2, r2) = try makePeers(.NN)
        _ = try handshake(&i2, &r2)
        #expect(throws: NoiseError.wrongState) { try i2.writeMessage() }
    }

    @Test("tampered and truncated transport messages are refused")
    func tamperedTransport() throws {
        var (i, r) = try makePeers(.IKpsk2)
        var (it, rt) = try handshake(&i, &r)
        var c = try it.encrypt(Data("report".utf8))
        c[0] ^= 1
        #expect(throws: NoiseError.decryptionFailed) { try rt.decrypt(c) }
        #expect(throws: NoiseError.messageTooShort) { try rt.decrypt(Data(count: 15)) }
        // A failed decrypt does not advance the nonce: the restored message still opens.
        c[0] ^= 1
        #expect(try rt.decrypt(c) == Data("report".utf8))
        #expect(try rt.decrypt(it.encrypt(Data("second".utf8))) == Data("second".utf8))
        // Replaying an old message fails (nonce has moved on).
        #expect(throws: NoiseError.decryptionFailed) { try rt.decrypt(c) }
    }

    @Test("CipherState nonce layout, nonce reuse and rekey")
    func cipherState() throws {
        let key = SymmetricKey(size: .bits256)
        var a = CipherState(key: key)
        var b = CipherState(key: key)
        let ad = Data("ad".utf8)
        let c0 = try a.encrypt(Data("zero".utf8), ad: ad)
        // Matches a direct ChaChaPoly seal with nonce = 4 zero bytes || LE64(0).
        let direct = try ChaChaPoly.seal(
            Data("zero".utf8), using: key, nonce: ChaChaPoly.Nonce(data: Data(count: 12)), authenticating: ad)
        #expect(c0 == direct.ciphertext + direct.tag)
        #expect(try b.decrypt(c0, ad: ad) == Data("zero".utf8))
        #expect(a.nonce == 1 && b.nonce == 1)
        a.setNonce(0x0102_0304_0506_0708)
        let c1 = try a.encrypt(Data(), ad: Data())
        let nonce = Data([0, 0, 0, 0, 8, 7, 6, 5, 4, 3, 2, 1])
        let direct1 = try ChaChaPoly.seal(Data(), using: key, nonce: ChaChaPoly.Nonce(data: nonce), authenticating: Data())
        #expect(c1 == direct1.tag)
        a.setNonce(UInt64.max)
        #expect(throws: NoiseError.nonceExhausted) { try a.encrypt(Data()) }
        try a.rekey()
        try b.rekey()
        a.setNonce(5)
        b.setNonce(5)
        #expect(try b.decrypt(a.encrypt(Data("after rekey".utf8))) == Data("after rekey".utf8))
        var empty = CipherState()
        #expect(try empty.encrypt(Data("clear".utf8)) == Data("clear".utf8))
    }
}

@Suite("Noise buffers")
struct NoiseBufferTests {
    @Test("returned messages and payloads are zero-based (safe to index)")
    func zeroBased() throws {
        var (i, r) = try makePeers(.NN)
        let m1 = try i.writeMessage(Data("abc".utf8))
        let p1 = try r.readMessage(m1)
        #expect(m1.startIndex == 0 && p1.startIndex == 0 && p1[0] == UInt8(ascii: "a"))
        let m2 = try r.writeMessage(Data("xyz".utf8))
        // Feed a slice with non-zero indices as input too.
        let framed = Data([0xFF, 0xFF]) + m2
        let p2 = try i.readMessage(framed.dropFirst(2))
        #expect(p2.startIndex == 0 && p2[0] == UInt8(ascii: "x"))
        var it = try #require(i.transport)
        let c = try it.encrypt(Data("q".utf8))
        #expect(c.startIndex == 0)
    }
}
