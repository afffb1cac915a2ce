public import Foundation
public import GiupXaNoise
import NIOConcurrencyHelpers
import NIOCore

/// Constants of the v2 secured transport (PROTOCOL.md §12).
///
/// v2 = the 4-byte preamble in clear, then `Noise_IKpsk2_25519_ChaChaPoly_SHA256`: message 1
/// carries the client's first flight (HELLO and pipelined calls) as its payload, message 2 the
/// server's first flight, and every later byte travels in transport records. Each handshake
/// message and record is a 2-byte big-endian length followed by that many bytes.
public enum SecureChannel {
    public static let version: UInt8 = 2
    public static let pattern = HandshakePattern.IKpsk2
    public static let preamble = Preamble(minVersion: 2, maxVersion: 2)
    /// Noise's own bound on a message (handshake or transport).
    public static let maxMessage = HandshakeState.maxMessageLength
    /// Plaintext carried by one full transport record.
    public static let maxRecordPlaintext = maxMessage - 16
    /// Message 1 costs 32 (e) + 48 (encrypted s) + 16 (payload tag) before its payload.
    public static let maxEarlyData = maxMessage - 96
    /// The server's message 2 payload stays below this, so message 2's first byte is at most
    /// 0x40 and never 0x70, the first byte of a plaintext GOAWAY (which is how a server that
    /// cannot complete the handshake answers).
    public static let maxServerFirstFlight = 16 * 1024
    /// What the server holds of bytes a client sends between message 1 and message 2, when
    /// the protocol gives it no turn (§12.2); more closes the connection. Without this cap a
    /// message 1 with an incomplete HELLO, then junk at full speed, was buffered until the
    /// handshake timeout: 2 GiB in 10 s.
    public static let maxEarlyBytes = 16 * 1024
    /// First byte of a GOAWAY frame with no flags: type 7 << 4.
    public static let plaintextGoAwayByte: UInt8 = 0x70

    /// Binds the handshake to the preamble, so a middlebox cannot change the version offer.
    public static func prologue(preamble: Preamble) -> Data {
        Data("GiupXa v2".utf8) + [Preamble.magic.0, Preamble.magic.1, preamble.minVersion, preamble.maxVersion]
    }

    /// Reads one length-prefixed message, or nil when more bytes are needed.
    static func readMessage(from buffer: inout ByteBuffer) -> ByteBuffer? {
        guard let length = buffer.getInteger(at: buffer.readerIndex, as: UInt16.self),
              buffer.readableBytes >= 2 + Int(length)
        else { return nil }
        buffer.moveReaderIndex(forwardBy: 2)
        return buffer.readSlice(length: Int(length))
    }

    static func writeMessage(_ message: Data, to buffer: inout ByteBuffer) {
        buffer.writeInteger(UInt16(message.count))
        buffer.writeBytes(message)
    }

    /// Decrypts every complete record in `buffer`, leaving a partial one for the next read.
    static func openRecords(_ buffer: inout ByteBuffer, with transport: inout NoiseTransport) throws -> [ByteBuffer] {
        var plaintexts: [ByteBuffer] = []
        while let record = readMessage(from: &buffer) {
            do {
                let plaintext = try transport.decrypt(Data(record.readableBytesView))
                if !plaintext.isEmpty { plaintexts.append(ByteBuffer(bytes: plaintext)) }
            } catch {
                throw SecureChannelError.recordRejected("\(error)")
            }
        }
        buffer.discardReadBytes()
        return plaintexts
    }

    /// Encrypts `plaintext` into as many records as it needs.
    static func seal(_ plaintext: inout ByteBuffer, with transport: inout NoiseTransport, into out: inout ByteBuffer) throws {
        while plaintext.readableBytes > 0 {
            let chunk = plaintext.readSlice(length: min(plaintext.readableBytes, maxRecordPlaintext))!
            writeMessage(try transport.encrypt(Data(chunk.readableBytesView)), to: &out)
        }
    }
}

/// Why a secured connection failed below the frame layer.
public enum SecureChannelError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A handshake message or record did not authenticate: a wrong key, tampering, or garbage.
    case handshakeFailed(String)
    case recordRejected(String)
    /// The peer sent bytes when the protocol gives it no turn.
    case unexpectedBytes

    public var description: String {
        switch self {
        case .handshakeFailed(let why): "secure handshake failed (\(why))"
        case .recordRejected(let why): "encrypted record rejected (\(why))"
        case .unexpectedBytes: "unexpected bytes during the secure handshake"
        }
    }
}

/// Plaintext written by the layer above, not yet sent, with the write promises it carries.
/// A promise completes when the last of its bytes has gone out (encrypted).
struct PendingPlaintext {
    private(set) var buffer = ByteBuffer()
    private var promises: [(end: Int, promise: EventLoopPromise<Void>)] = []
    private var consumed = 0

    var isEmpty: Bool { buffer.readableBytes == 0 }

    mutating func append(_ data: ByteBuffer, promise: EventLoopPromise<Void>?) {
        var data = data
        buffer.writeBuffer(&data)
        if let promise { promises.append((consumed + buffer.readableBytes, promise)) }
    }

    /// Takes up to `limit` bytes, and the promises those bytes complete.
    mutating func take(upTo limit: Int) -> (ByteBuffer, [EventLoopPromise<Void>]) {
        let bytes = buffer.readSlice(length: min(limit, buffer.readableBytes))!
        consumed += bytes.readableBytes
        let done = promises.prefix { $0.end <= consumed }.map(\.promise)
        promises.removeFirst(done.count)
        buffer.discardReadBytes()
        return (bytes, done)
    }

    mutating func failAll(_ error: any Error) {
        for entry in promises { entry.promise.fail(error) }
        promises = []
        buffer.clear()
    }
}

extension ChannelHandlerContext {
    /// Writes `bytes` and completes `promises` with the write's outcome.
    func write(_ bytes: ByteBuffer, completing promises: [EventLoopPromise<Void>]) {
        guard !promises.isEmpty else {
            write(NIOAny(bytes), promise: nil)
            return
        }
        let promise = eventLoop.makePromise(of: Void.self)
        for other in promises { promise.futureResult.cascade(to: other) }
        write(NIOAny(bytes), promise: promise)
    }
}

/// What the server's secured channel learned in the handshake, shared with the connection's
/// task: the client's static key (its identity) in, the matching psk out.
public final class SecureSession: Sendable {
    private struct State {
        var remoteStatic: Data?
        var psk: Data?
    }

    private let state = NIOLockedValueBox(State())

    public init() {}

    /// The client's static public key, once message 1 has been read.
    public var remoteStaticKey: Data? { state.withLockedValue { $0.remoteStatic } }

    func received(remoteStatic: Data) { state.withLockedValue { $0.remoteStatic = remoteStatic } }

    /// Called once the client's key matched a live credential: message 2 can now be written.
    public func authenticated(psk: Data) { state.withLockedValue { $0.psk = psk } }

    var psk: Data? { state.withLockedValue { $0.psk } }
}
