import Crypto
import Foundation
import GiupXaNoise
import GiupXaProtocol
import NIOCore

/// A v2 first flight built by hand — preamble and Noise message 1 — as an attacker replaying
/// captured bytes, or another implementation, would send it. Keeps the handshake state to
/// read the server's answer (message 2 and records), which are encrypted even for refusals
/// once the server knows the key.
struct SecuredFlight: Sendable {
    var bytes: [UInt8]
    let handshake: HandshakeState

    init(credential: SecureCredential, frames: [Frame], extra: [UInt8] = []) throws {
        var payload = ByteBuffer()
        for frame in frames { frame.write(to: &payload) }
        try self.init(credential: credential, payload: Array(payload.readableBytesView), extra: extra)
    }

    /// Message 1 carrying exactly `payload` (frames cut short, say), then `extra` in clear.
    init(credential: SecureCredential, payload: [UInt8], extra: [UInt8] = []) throws {
        var handshake = try HandshakeState(
            pattern: SecureChannel.pattern, initiator: true, prologue: SecureChannel.prologue(preamble: SecureChannel.preamble),
            staticKey: credential.staticKey,
            remoteStatic: try Curve25519.KeyAgreement.PublicKey(rawRepresentation: credential.serverPublicKey),
            psks: [credential.psk])
        let message = try handshake.writeMessage(Data(payload))
        var out = ByteBuffer()
        SecureChannel.preamble.write(to: &out)
        out.writeInteger(UInt16(message.count))
        out.writeBytes(message)
        bytes = Array(out.readableBytesView) + extra
        self.handshake = handshake
    }

    /// The frames in the server's reply: a plaintext GOAWAY, or message 2 and records.
    func decode(_ reply: [UInt8]) -> (frames: [Frame], undecodable: Bool) {
        guard let first = reply.first else { return ([], false) }
        if first == SecureChannel.plaintextGoAwayByte { return RawClient.decode(reply) }
        var handshake = self.handshake
        var buffer = ByteBuffer(bytes: reply)
        var plaintext = ByteBuffer()
        var transport: NoiseTransport? = nil
        while let length = buffer.getInteger(at: buffer.readerIndex, as: UInt16.self), buffer.readableBytes >= 2 + Int(length) {
            buffer.moveReaderIndex(forwardBy: 2)
            let message = Data(buffer.readBytes(length: Int(length))!)
            do {
                if var live = transport {
                    plaintext.writeBytes(try live.decrypt(message))
                    transport = live
                } else {
                    plaintext.writeBytes(try handshake.readMessage(message))
                    transport = handshake.transport
                }
            } catch {
                return ([], true)
            }
        }
        return RawClient.decode(Array(plaintext.readableBytesView))
    }
}
