import Crypto
import Foundation
import GiupXaNoise
public import NIOCore

/// The client's end of the v2 secured transport, at the bottom of the pipeline: plaintext
/// (preamble, frames) above, the wire below.
///
/// The first flush sends the preamble and Noise message 1 with everything written so far as its
/// payload: the HELLO and the first call cost no extra round trip. Bytes written after that wait
/// for the server's message 2 (one round trip), then go out in transport records. A server that
/// cannot complete the handshake answers with a plaintext GOAWAY instead, passed up as is.
public final class SecureClientHandler: ChannelDuplexHandler {
    public typealias InboundIn = ByteBuffer
    public typealias InboundOut = ByteBuffer
    public typealias OutboundIn = ByteBuffer
    public typealias OutboundOut = ByteBuffer

    private enum State {
        case start
        case awaitingReply(HandshakeState)
        case transport(NoiseTransport)
        /// The server refused in plaintext: pass its GOAWAY up, send nothing more.
        case refused
        case failed
    }

    private let credential: SecureCredential
    private var state = State.start
    private var pending = PendingPlaintext()
    private var received = ByteBuffer()

    public init(credential: SecureCredential) {
        self.credential = credential
    }

    public func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch state {
        case .refused, .failed:
            promise?.fail(ChannelError.ioOnClosedChannel)
        default:
            pending.append(unwrapOutboundIn(data), promise: promise)
        }
    }

    public func flush(context: ChannelHandlerContext) {
        do {
            switch state {
            case .start:
                try sendMessage1(context: context)
            case .transport(var transport):
                try sendRecords(context: context, transport: &transport)
                state = .transport(transport)
            case .awaitingReply, .refused, .failed:
                return
            }
        } catch {
            fail(context: context, error: error)
        }
    }

    private func sendMessage1(context: ChannelHandlerContext) throws {
        // The layer above writes the preamble first; it is sent in clear and bound as prologue.
        guard pending.buffer.readableBytes >= Preamble.size else { return }
        let (preambleBytes, preamblePromises) = pending.take(upTo: Preamble.size)
        let bytes = Array(preambleBytes.readableBytesView)
        guard bytes[0] == Preamble.magic.0, bytes[1] == Preamble.magic.1, bytes[3] == SecureChannel.version else {
            throw SecureChannelError.handshakeFailed("the connection must start with a v2 preamble")
        }
        let preamble = Preamble(minVersion: bytes[2], maxVersion: bytes[3])
        var handshake = try HandshakeState(
            pattern: SecureChannel.pattern, initiator: true, prologue: SecureChannel.prologue(preamble: preamble),
            staticKey: credential.staticKey,
            remoteStatic: try Curve25519.KeyAgreement.PublicKey(rawRepresentation: credential.serverPublicKey),
            psks: [credential.psk])
        let (early, earlyPromises) = pending.take(upTo: SecureChannel.maxEarlyData)
        let message = try handshake.writeMessage(Data(early.readableBytesView))
        var out = context.channel.allocator.buffer(capacity: Preamble.size + 2 + message.count)
        out.writeBytes(bytes)
        SecureChannel.writeMessage(message, to: &out)
        state = .awaitingReply(handshake)
        context.write(out, completing: preamblePromises + earlyPromises)
        context.flush()
    }

    private func sendRecords(context: ChannelHandlerContext, transport: inout NoiseTransport) throws {
        guard !pending.isEmpty else { return }
        var (plaintext, promises) = pending.take(upTo: .max)
        var out = context.channel.allocator.buffer(capacity: plaintext.readableBytes + 32)
        try SecureChannel.seal(&plaintext, with: &transport, into: &out)
        context.write(out, completing: promises)
        context.flush()
    }

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var bytes = unwrapInboundIn(data)
        if case .refused = state {
            context.fireChannelRead(NIOAny(bytes))
            return
        }
        received.writeBuffer(&bytes)
        do {
            try process(context: context)
        } catch {
            fail(context: context, error: error)
        }
    }

    private func process(context: ChannelHandlerContext) throws {
        while true {
            switch state {
            case .start, .awaitingReply:
                // A server at its connection limit refuses on accept, so its GOAWAY can arrive
                // before we have flushed message 1.
                guard let first = received.getInteger(at: received.readerIndex, as: UInt8.self) else { return }
                if first == SecureChannel.plaintextGoAwayByte {
                    state = .refused
                    pending.failAll(ChannelError.ioOnClosedChannel)
                    context.fireChannelRead(NIOAny(received))
                    received = ByteBuffer()
                    return
                }
                guard case .awaitingReply(var handshake) = state else { throw SecureChannelError.unexpectedBytes }
                guard let message = SecureChannel.readMessage(from: &received) else { return }
                let payload: Data
                do {
                    payload = try handshake.readMessage(Data(message.readableBytesView))
                } catch {
                    throw SecureChannelError.handshakeFailed("\(error)")
                }
                guard var transport = handshake.transport else { throw SecureChannelError.handshakeFailed("incomplete") }
                // Calls written while we waited go out now.
                try sendRecords(context: context, transport: &transport)
                state = .transport(transport)
                if !payload.isEmpty { context.fireChannelRead(NIOAny(ByteBuffer(bytes: payload))) }
            case .transport(var transport):
                let plaintexts = try SecureChannel.openRecords(&received, with: &transport)
                state = .transport(transport)
                for plaintext in plaintexts { context.fireChannelRead(NIOAny(plaintext)) }
                return
            case .refused, .failed:
                return
            }
        }
    }

    private func fail(context: ChannelHandlerContext, error: any Error) {
        state = .failed
        pending.failAll(error)
        context.fireErrorCaught(error)
        context.close(promise: nil)
    }

    public func channelInactive(context: ChannelHandlerContext) {
        pending.failAll(ChannelError.ioOnClosedChannel)
        context.fireChannelInactive()
    }
}
