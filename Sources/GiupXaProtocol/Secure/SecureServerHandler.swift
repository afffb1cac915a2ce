public import Crypto
import Foundation
import GiupXaNoise
public import NIOCore

/// The server's end of the transport, at the bottom of the pipeline. It reads the preamble:
/// a v2 offer (max version 2) switches to the Noise responder; anything else passes through
/// untouched for the frame decoder and `ServerConnection` to accept (v1) or refuse.
///
/// Message 1's payload (the client's HELLO and first calls) goes up as plaintext and the
/// client's static key into `SecureSession`. The server's first flush becomes message 2 if
/// the connection authenticated that key (`SecureSession.authenticated(psk:)`); otherwise it
/// goes out in plaintext — a GOAWAY — and nothing else follows.
public final class SecureServerHandler: ChannelDuplexHandler {
    public typealias InboundIn = ByteBuffer
    public typealias InboundOut = ByteBuffer
    public typealias OutboundIn = ByteBuffer
    public typealias OutboundOut = ByteBuffer

    private enum State {
        case preamble
        case plaintext
        case message1(HandshakeState)
        case awaitingFirstFlight(HandshakeState)
        case transport(NoiseTransport)
        case failed
    }

    private let staticKey: Curve25519.KeyAgreement.PrivateKey
    private let session: SecureSession
    private var state = State.preamble
    private var received = ByteBuffer()
    private var pending = PendingPlaintext()

    public init(staticKey: Curve25519.KeyAgreement.PrivateKey, session: SecureSession) {
        self.staticKey = staticKey
        self.session = session
    }

    // MARK: Inbound

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var bytes = unwrapInboundIn(data)
        switch state {
        case .plaintext:
            context.fireChannelRead(NIOAny(bytes))
            return
        case .failed:
            // Closing: whatever else arrives is not ours to keep.
            return
        default:
            break
        }
        received.writeBuffer(&bytes)
        do {
            try process(context: context)
            if case .awaitingFirstFlight = state, received.readableBytes > SecureChannel.maxEarlyBytes {
                throw ProtocolViolation.earlyBytes(received.readableBytes)
            }
        } catch {
            refuse(context: context, error: error)
        }
    }

    private func process(context: ChannelHandlerContext) throws {
        while true {
            switch state {
            case .preamble:
                guard let first = received.getInteger(at: received.readerIndex, as: UInt8.self) else { return }
                guard first == Preamble.magic.0, received.readableBytes >= Preamble.size else {
                    if first != Preamble.magic.0 { passThrough(context: context) }
                    return
                }
                let bytes = received.getBytes(at: received.readerIndex, length: Preamble.size)!
                guard bytes[1] == Preamble.magic.1, bytes[3] == SecureChannel.version else {
                    passThrough(context: context)
                    return
                }
                let preamble = Preamble(minVersion: bytes[2], maxVersion: bytes[3])
                let handshake = try HandshakeState(
                    pattern: SecureChannel.pattern, initiator: false,
                    prologue: SecureChannel.prologue(preamble: preamble), staticKey: staticKey, pskLater: true)
                state = .message1(handshake)
                context.fireChannelRead(NIOAny(received.readSlice(length: Preamble.size)!))
            case .message1(var handshake):
                guard let message = SecureChannel.readMessage(from: &received) else { return }
                let payload: Data
                do {
                    payload = try handshake.readMessage(Data(message.readableBytesView))
                } catch {
                    throw SecureChannelError.handshakeFailed("\(error)")
                }
                guard let remote = handshake.remoteStatic else { throw SecureChannelError.handshakeFailed("no static key") }
                session.received(remoteStatic: remote.rawRepresentation)
                state = .awaitingFirstFlight(handshake)
                context.fireChannelRead(NIOAny(ByteBuffer(bytes: payload)))
            case .awaitingFirstFlight:
                // The client has no turn until message 2; keep what it sent for later.
                return
            case .transport(var transport):
                let plaintexts = try SecureChannel.openRecords(&received, with: &transport)
                state = .transport(transport)
                for plaintext in plaintexts { context.fireChannelRead(NIOAny(plaintext)) }
                return
            case .plaintext, .failed:
                return
            }
        }
    }

    private func passThrough(context: ChannelHandlerContext) {
        state = .plaintext
        let rest = received
        received = ByteBuffer()
        context.fireChannelRead(NIOAny(rest))
    }

    /// A handshake that cannot complete gets a plaintext GOAWAY: we share no keys with the
    /// client, and a GOAWAY reveals nothing it did not send.
    private func refuse(context: ChannelHandlerContext, error: any Error) {
        if case .transport = state {
            // A broken record on an established channel: tampering or a bug. Just close.
            state = .failed
            context.fireErrorCaught(error)
            context.close(promise: nil)
            return
        }
        state = .failed
        received = ByteBuffer()
        let status = (error as? ProtocolViolation).map { RPCError(code: $0.code, message: $0.description) } ?? HandshakeRefusal.handshakeFailed
        var out = context.channel.allocator.buffer(capacity: 128)
        MessageCodec.goAway(status: status.status, lastCallID: 0).write(to: &out)
        let channel = context.channel
        context.writeAndFlush(NIOAny(out)).whenComplete { _ in channel.close(promise: nil) }
    }

    // MARK: Outbound

    public func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch state {
        case .preamble, .message1, .plaintext:
            // Before a v2 handshake (a connection-limit GOAWAY) or on a v1 connection: in clear.
            context.write(data, promise: promise)
        case .awaitingFirstFlight, .transport:
            pending.append(unwrapOutboundIn(data), promise: promise)
        case .failed:
            promise?.fail(ChannelError.ioOnClosedChannel)
        }
    }

    public func flush(context: ChannelHandlerContext) {
        do {
            switch state {
            case .awaitingFirstFlight(var handshake):
                guard !pending.isEmpty else { return }
                guard let psk = session.psk else {
                    // Not authenticated: what the connection wrote is its GOAWAY, in clear.
                    state = .plaintext
                    let (bytes, promises) = pending.take(upTo: .max)
                    context.write(bytes, completing: promises)
                    context.flush()
                    return
                }
                try handshake.providePSK(psk)
                let (first, promises) = pending.take(upTo: SecureChannel.maxServerFirstFlight)
                let message = try handshake.writeMessage(Data(first.readableBytesView))
                guard var transport = handshake.transport else { throw SecureChannelError.handshakeFailed("incomplete") }
                var out = context.channel.allocator.buffer(capacity: 2 + message.count)
                SecureChannel.writeMessage(message, to: &out)
                context.write(out, completing: promises)
                var rest = pending.take(upTo: .max)
                if rest.0.readableBytes > 0 {
                    var sealed = context.channel.allocator.buffer(capacity: rest.0.readableBytes + 32)
                    try SecureChannel.seal(&rest.0, with: &transport, into: &sealed)
                    context.write(sealed, completing: rest.1)
                }
                state = .transport(transport)
                context.flush()
                // Records the client sent right behind its message 1, if any.
                if received.readableBytes > 0 { try process(context: context) }
            case .transport(var transport):
                guard !pending.isEmpty else { return }
                var (plaintext, promises) = pending.take(upTo: .max)
                var out = context.channel.allocator.buffer(capacity: plaintext.readableBytes + 32)
                try SecureChannel.seal(&plaintext, with: &transport, into: &out)
                state = .transport(transport)
                context.write(out, completing: promises)
                context.flush()
            case .preamble, .message1, .plaintext:
                context.flush()
            case .failed:
                return
            }
        } catch {
            state = .failed
            pending.failAll(error)
            context.fireErrorCaught(error)
            context.close(promise: nil)
        }
    }

    public func channelInactive(context: ChannelHandlerContext) {
        pending.failAll(ChannelError.ioOnClosedChannel)
        context.fireChannelInactive()
    }
}
