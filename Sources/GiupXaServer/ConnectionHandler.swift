import GiupXaModels
import GiupXaProtocol
import Logging
import NIOCore

/// The last handler of a connection's pipeline. During the handshake it queues what the
/// decoder yields for `ServerConnection.run` to take with `next()`; once `serve` is called it
/// handles frames itself on the event loop, one task per call, and closes the connection when
/// the stream has ended and every call read has been answered (GOAWAY first when there is
/// something to say: a protocol violation, or a drain).
///
/// Reading pauses while the handshake has events queued, while the channel is not writable
/// (a client that does not read its answers stops being read), and once the stream ends.
final class ConnectionHandler: ChannelDuplexHandler {
    typealias InboundIn = WireEvent
    typealias OutboundIn = Frame
    typealias OutboundOut = Frame

    private enum Ending {
        /// The stream ended (client EOF or GOAWAY, drain, idle timeout): answer what was read.
        case clean
        /// Answer with GOAWAY after the calls, which are cancelled.
        case violation(ProtocolViolation)
        /// A transport error or server stop: cancel the calls, close without a word.
        case failed
        /// The credential was revoked: calls end UNAUTHENTICATED, then GOAWAY UNAUTHENTICATED.
        case revoked
    }

    private let drain: Drain
    private let eventLoop: any EventLoop
    /// Nil once the pipeline is torn down: a late `next()` or call answer must not need it.
    private var context: ChannelHandlerContext?

    // Handshake: events queued for `next()`, and how the stream ended if it has.
    private var queued: [WireEvent] = []
    private var waiting: EventLoopPromise<WireEvent?>?
    private var streamEnd: Result<Void, any Error>?

    // Serving.
    private var connection: ServerConnection?
    private var callContext: CallContext?
    /// The client's mode-3 stream (§9.3, §9.4), if it asked for one: decompressed here, in wire order.
    private var requestStream: (any ContextDecompressor)?
    private var running: [UInt32: Task<Void, Never>] = [:]
    private var cancelled: Set<UInt32> = []
    private var lastAccepted: UInt32 = 0
    private var ending: Ending?
    private var closing = false
    private var inactive = false
    private var unregistered = false
    private var pendingRead = false

    init(drain: Drain, eventLoop: any EventLoop) {
        self.drain = drain
        self.eventLoop = eventLoop
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }

    // MARK: Handshake

    /// The next event, as an async iterator would give it: nil once the stream has ended, the
    /// pipeline's error (a decoder violation) if it failed.
    func next() -> EventLoopFuture<WireEvent?> {
        if !queued.isEmpty {
            let event = queued.removeFirst()
            resumeReading()
            return eventLoop.makeSucceededFuture(event)
        }
        switch streamEnd {
        case .success?: return eventLoop.makeSucceededFuture(nil)
        case .failure(let error)?: return eventLoop.makeFailedFuture(error)
        case nil:
            let promise = eventLoop.makePromise(of: WireEvent?.self)
            waiting = promise
            return promise.futureResult
        }
    }

    /// Authenticated: from now on frames are handled here, starting with those queued.
    func serve(context callContext: CallContext, connection: ServerConnection, compressionContext: ContextCodec?) {
        self.connection = connection
        self.callContext = callContext
        requestStream = compressionContext?.makeDecompressor(dictionary: callContext.dictionary)
        if let credentialID = callContext.credentialID {
            let this = NIOLoopBound(self, eventLoop: eventLoop)
            connection.revocations.register(connection.channel, credentialID: credentialID) {
                this.eventLoop.execute { this.value.stop(.revoked) }
            }
        }
        let events = queued
        queued = []
        for event in events where ending == nil { handle(event) }
        switch streamEnd {
        case .success?: stop(.clean)
        case .failure(let error)?: fail(error)
        case nil: break
        }
        settle()
        resumeReading()
    }

    // MARK: Inbound

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let event = unwrapInboundIn(data)
        if connection != nil {
            if ending == nil { handle(event) }
        } else if let waiting {
            self.waiting = nil
            waiting.succeed(event)
        } else {
            queued.append(event)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if connection != nil { fail(error) } else { end(.failure(error)) }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case .inputClosed? = event as? ChannelEvent {
            if connection != nil { stop(.clean) } else { end(.success(())) }
        }
        context.fireUserInboundEventTriggered(event)
    }

    func channelInactive(context: ChannelHandlerContext) {
        inactive = true
        if connection != nil {
            // Nobody is left to answer: the calls stop their work.
            stop(.failed)
            settle()
        } else {
            end(.success(()))
        }
        context.fireChannelInactive()
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        resumeReading()
        context.fireChannelWritabilityChanged()
    }

    // MARK: Outbound

    func read(context: ChannelHandlerContext) {
        let paused = connection == nil ? !queued.isEmpty : ending != nil
        if paused || !context.channel.isWritable {
            pendingRead = true
        } else {
            context.read()
        }
    }

    private func resumeReading() {
        guard pendingRead, let context else { return }
        pendingRead = false
        read(context: context)
    }

    // MARK: Serving

    private func end(_ result: Result<Void, any Error>) {
        guard streamEnd == nil else { return }
        streamEnd = result
        if let waiting {
            self.waiting = nil
            switch result {
            case .success: waiting.succeed(nil)
            case .failure(let error): waiting.fail(error)
            }
        }
    }

    private func handle(_ event: WireEvent) {
        guard let connection, let callContext else { return }
        guard case .frame(var frame) = event else { return stop(.violation(.badPreamble)) }
        switch frame.type {
        case .request:
            let limits = connection.configuration.limits
            guard frame.callID > lastAccepted else { return stop(.violation(.callIDNotIncreasing(frame.callID))) }
            lastAccepted = frame.callID
            // Mode 3 is one stream: decompress here, in wire order, even for a call about to be
            // refused. Without an agreed stream the call fails on its own (UNIMPLEMENTED).
            if frame.flags.compression == .contextStream, let requestStream {
                do {
                    frame = try ServerConnection.decompress(frame, with: requestStream, limit: limits.maxMessageBytes)
                } catch {
                    return stop(.violation(error))
                }
            }
            guard connection.rates.allow(callContext.rateKey) else {
                callContext.logger.notice("call refused: rate limit")
                return write(MessageCodec.status(
                    callID: frame.callID,
                    error: RPCError(code: .resourceExhausted, message: callContext.language.pick(
                        vi: "Quá nhiều yêu cầu từ cơ quan này; vui lòng thử lại sau ít giây",
                        en: "Too many calls from this agency; retry in a few seconds"))))
            }
            guard running.count < limits.maxConcurrentCalls else {
                return write(MessageCodec.status(
                    callID: frame.callID,
                    error: RPCError(code: .resourceExhausted, message: "more than \(limits.maxConcurrentCalls) concurrent calls")))
            }
            let this = NIOLoopBound(self, eventLoop: eventLoop)
            let request = frame
            running[request.callID] = Task {
                let reply = await connection.answer(request, context: callContext)
                this.eventLoop.execute { this.value.finished(request.callID, reply: reply) }
            }
        case .cancel:
            // The client has forgotten the call: stop its work (a write already handed to the
            // store still commits, and a resend finds it stored).
            if let task = running[frame.callID] {
                cancelled.insert(frame.callID)
                task.cancel()
            }
        case .ping:
            write(Frame(type: .pong, callID: 0, body: frame.body))
        case .goAway:
            stop(.clean)
        case .pong:
            break
        case .hello, .response, .status:
            stop(.violation(.unexpectedFrame(frame.type, "not sent by clients after HELLO")))
        }
    }

    private func finished(_ callID: UInt32, reply: Frame) {
        running[callID] = nil
        // A cancelled call gets no answer: the client has forgotten it.
        if cancelled.remove(callID) == nil {
            if case .revoked? = ending {
                write(MessageCodec.status(callID: callID, error: revokedError))
            } else {
                write(reply)
            }
        }
        settle()
    }

    private var revokedError: RPCError {
        RPCError(code: .unauthenticated, message: callContext?.language.pick(
            vi: "Khoá truy cập này đã bị thu hồi; hãy xin người vận hành khoá mới",
            en: "This credential has been revoked; ask an operator for a new one") ?? "")
    }

    private func write(_ frame: Frame) {
        context?.writeAndFlush(wrapOutboundOut(frame), promise: nil)
    }

    private func fail(_ error: any Error) {
        if let violation = error as? ProtocolViolation {
            stop(.violation(violation))
        } else {
            callContext?.logger.debug("connection ended", metadata: ["error": "\(error)"])
            stop(.failed)
        }
    }

    /// Stops reading; the first reason wins. Calls run on after a clean end and are cancelled
    /// otherwise (they still answer, with CANCELLED, unless the client cancelled them).
    private func stop(_ reason: Ending) {
        guard ending == nil else { return }
        ending = reason
        switch reason {
        case .clean: break
        case .violation(let violation):
            callContext?.logger.notice("protocol violation", metadata: ["giupxa.reason": "\(violation)"])
            running.values.forEach { $0.cancel() }
        case .failed:
            running.values.forEach { $0.cancel() }
        case .revoked:
            callContext?.logger.notice("connection closed: credential revoked")
            running.values.forEach { $0.cancel() }
        }
        settle()
    }

    /// Once the last call has answered: GOAWAY if there is something to say, close, and let
    /// the drain know this connection is gone.
    private func settle() {
        guard running.isEmpty else { return }
        if let ending, !closing, let context {
            closing = true
            var last: Frame?
            switch ending {
            case .violation(let violation):
                last = MessageCodec.goAway(status: violation.status, lastCallID: lastAccepted)
            case .clean where drain.isDraining && !inactive:
                // Every call read has been answered; tell the client why we close.
                let status = RPCError(code: .unavailable, message: callContext?.language.pick(
                    vi: "Máy chủ đang dừng, vui lòng kết nối lại sau", en: "Server shutting down, reconnect later") ?? "")
                last = MessageCodec.goAway(status: status.status, lastCallID: lastAccepted)
            case .revoked:
                last = MessageCodec.goAway(status: revokedError.status, lastCallID: lastAccepted)
            case .clean, .failed:
                break
            }
            let channel = context.channel
            if let last {
                context.writeAndFlush(wrapOutboundOut(last)).whenComplete { _ in channel.close(promise: nil) }
            } else {
                channel.close(promise: nil)
            }
        }
        if inactive, !unregistered, let connection {
            unregistered = true
            drain.unregister(connection.channel)
            if let credentialID = callContext?.credentialID {
                connection.revocations.unregister(connection.channel, credentialID: credentialID)
            }
        }
    }
}
