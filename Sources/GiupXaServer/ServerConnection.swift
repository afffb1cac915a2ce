import Foundation
import GiupXaModels
import GiupXaProtocol
import GiupXaStorage
import Logging
import NIOConcurrencyHelpers
import NIOCore

/// One client connection: preamble and HELLO, authentication, then calls handled
/// concurrently until the client closes. Calls queued behind the HELLO (the client need not
/// wait a round trip) are read only after authentication succeeds.
struct ServerConnection {
    let channel: NIOAsyncChannel<WireEvent, Frame>
    let session: SecureSession
    let service: VisitService
    let store: any GiupXaStore
    let configuration: ServerConfiguration
    let logger: Logger
    let drain: Drain
    let rates: RateLimiter

    static let supportedVersions: ClosedRange<UInt8> = 1...2

    func run() async {
        var logger = logger
        if let remote = channel.channel.remoteAddress { logger[metadataKey: "giupxa.peer"] = "\(remote)" }
        do {
            try await channel.executeThenClose { inbound, outbound in
                var events = inbound.makeAsyncIterator()
                let calls = CallTable()
                do {
                    let (context, inflater) = try await handshake(&events, outbound: outbound, logger: logger)
                    try await serveCalls(&events, outbound: outbound, context: context, inflater: inflater, calls: calls)
                    if drain.isDraining {
                        // Every call read has been answered; tell the client why we close.
                        let status = RPCError(code: .unavailable, message: context.language.pick(
                            vi: "Máy chủ đang dừng, vui lòng kết nối lại sau", en: "Server shutting down, reconnect later"))
                        try? await outbound.write(MessageCodec.goAway(status: status.status, lastCallID: calls.lastAccepted))
                    }
                } catch let violation as ProtocolViolation {
                    logger.notice("protocol violation", metadata: ["giupxa.reason": "\(violation)"])
                    try? await outbound.write(MessageCodec.goAway(status: violation.status, lastCallID: calls.lastAccepted))
                } catch let error as RPCError {
                    // Authentication and handshake failures: say why, then close.
                    try? await outbound.write(MessageCodec.goAway(status: error.status, lastCallID: calls.lastAccepted))
                } catch let stale as StaleHandshakeCounter {
                    try? await outbound.write(stale.goAway)
                }
            }
        } catch {
            logger.debug("connection ended", metadata: ["error": "\(error)"])
        }
    }

    /// Reads the preamble and HELLO, authenticates, and answers with the server's HELLO.
    /// Returns the calls' context and, if the client asked for mode 3, the inflater of its stream.
    private func handshake(
        _ events: inout NIOAsyncChannelInboundStream<WireEvent>.AsyncIterator,
        outbound: NIOAsyncChannelOutboundWriter<Frame>, logger: Logger
    ) async throws -> (CallContext, ContextInflater?) {
        let timeout = channel.channel.eventLoop.scheduleTask(deadline: .now() + .seconds(configuration.handshakeTimeoutSeconds)) {
            [channel = channel.channel] in channel.close(promise: nil)
        }
        defer { timeout.cancel() }

        // A drain that ends the stream before the HELLO has arrived (a long first flight on a
        // slow link) is the server's doing: say so, so the client retries elsewhere or later.
        let shuttingDown = RPCError(code: .unavailable, message: "Máy chủ đang dừng, vui lòng kết nối lại sau / Server shutting down, reconnect later")
        guard case .preamble(let preamble)? = try await events.next() else {
            throw drain.isDraining ? shuttingDown : ProtocolViolation.badPreamble
        }
        // The bytes after the preamble follow the client's highest version (§3.2).
        let version = preamble.maxVersion
        guard preamble.minVersion <= preamble.maxVersion, Self.supportedVersions.contains(version) else {
            throw ProtocolViolation.unsupportedVersion(min: preamble.minVersion, max: preamble.maxVersion)
        }
        guard case .frame(let frame)? = try await events.next() else {
            throw drain.isDraining ? shuttingDown : ProtocolViolation.malformedHello("connection closed")
        }
        guard frame.type == .hello, frame.callID == 0, frame.flags.rawValue == 0 else {
            throw ProtocolViolation.unexpectedFrame(frame.type, "the first frame must be HELLO on call 0")
        }
        let hello: Giupxa_V1_ClientHello
        do {
            hello = try MessageCodec.decode(Giupxa_V1_ClientHello.self, from: frame.body)
        } catch {
            throw ProtocolViolation.malformedHello("\(error.message)")
        }
        guard hello.clientName.utf8.count <= 64 else { throw ProtocolViolation.malformedHello("client_name longer than 64 bytes") }
        let language = Language(rawValue: hello.language) ?? .vi
        if version < SecureChannel.version && !plaintextAllowed {
            logger.notice("plaintext connection refused")
            throw RPCError(code: .failedPrecondition, message: language.pick(
                vi: "Máy chủ không nhận kết nối không mã hoá (v1) từ mạng ngoài; hãy dùng v2 (mặc định của giupxa)",
                en: "This server refuses unencrypted (v1) connections from the network; use v2 (giupxa's default)"))
        }
        let principal = try await Authenticator(store: store).authenticate(
            hello, version: version, session: session, language: language, logger: logger)
        var server = Giupxa_V1_ServerHello()
        server.version = UInt32(version)
        server.serverName = configuration.serverName
        var callLogger = logger
        switch principal {
        case .agency(let agency):
            server.agencyCode = agency.code
            server.agencyName = agency.name
            callLogger[metadataKey: "giupxa.agency"] = "\(agency.code)"
        case .operator(let name):
            server.operatorName = name
            callLogger[metadataKey: "giupxa.operator"] = "\(name)"
        }
        server.serverTimeMs = Int64(Date().timeIntervalSince1970 * 1000)
        server.limits.maxFrameBytes = UInt32(configuration.limits.maxFrameBytes)
        server.limits.maxMessageBytes = UInt32(configuration.limits.maxMessageBytes)
        server.limits.maxVisitsPerBatch = UInt32(configuration.limits.maxVisitsPerBatch)
        server.limits.maxConcurrentCalls = UInt32(configuration.limits.maxConcurrentCalls)
        // Mode 2 both ways if we hold the client's dictionary; its pipelined calls already use it.
        let dictionary = CompressionDictionary.known(hello.compressionDictionary)
        server.compressionDictionary = dictionary?.id ?? 0
        // Mode 3 from the client if it asks (its pipelined calls already use it). The inflater
        // allocates zlib's state only when the first mode-3 message arrives.
        server.compressionContext = hello.compressionContext
        try await outbound.write(MessageCodec.serverHello(server))
        callLogger.debug("authenticated", metadata: ["giupxa.version": "\(version)"])
        return (
            CallContext(principal: principal, language: language, logger: callLogger, dictionary: dictionary),
            hello.compressionContext ? ContextInflater(dictionary: dictionary) : nil
        )
    }

    /// Plaintext (v1) only where nobody else is on the path, or when the operator chose it.
    private var plaintextAllowed: Bool {
        if configuration.allowPlaintext { return true }
        guard let ip = channel.channel.remoteAddress?.ipAddress else { return false }
        return ip.hasPrefix("127.") || ip == "::1" || ip.hasPrefix("::ffff:127.")
    }

    /// Reads frames until the client closes, running each call in its own task.
    private func serveCalls(
        _ events: inout NIOAsyncChannelInboundStream<WireEvent>.AsyncIterator,
        outbound: NIOAsyncChannelOutboundWriter<Frame>, context: CallContext, inflater: ContextInflater?, calls: CallTable
    ) async throws {
        let limits = configuration.limits
        try await withThrowingDiscardingTaskGroup { group in
            while let event = try await events.next() {
                guard case .frame(var frame) = event else { throw ProtocolViolation.badPreamble }
                switch frame.type {
                case .request:
                    guard calls.accept(frame.callID) else { throw ProtocolViolation.callIDNotIncreasing(frame.callID) }
                    // Mode 3 is one stream: inflate here, in wire order, even for a call about to
                    // be refused. Without an agreed stream the call fails on its own (UNIMPLEMENTED).
                    if frame.flags.compression == .deflateContext, let inflater {
                        frame = try Self.inflate(frame, with: inflater, limit: limits.maxMessageBytes)
                    }
                    guard rates.allow(context.rateKey) else {
                        context.logger.notice("call refused: rate limit")
                        try await outbound.write(MessageCodec.status(
                            callID: frame.callID,
                            error: RPCError(code: .resourceExhausted, message: context.language.pick(
                                vi: "Quá nhiều yêu cầu từ cơ quan này; vui lòng thử lại sau ít giây",
                                en: "Too many calls from this agency; retry in a few seconds"))))
                        continue
                    }
                    guard calls.start(frame.callID, limit: limits.maxConcurrentCalls) else {
                        try await outbound.write(MessageCodec.status(
                            callID: frame.callID,
                            error: RPCError(code: .resourceExhausted, message: "more than \(limits.maxConcurrentCalls) concurrent calls")))
                        continue
                    }
                    group.addTask {
                        let reply = await self.answer(frame, context: context)
                        // A cancelled call gets no answer: the client has forgotten it.
                        if calls.finish(frame.callID) { try? await outbound.write(reply) }
                    }
                case .cancel:
                    calls.cancel(frame.callID)
                case .ping:
                    try await outbound.write(Frame(type: .pong, callID: 0, body: frame.body))
                case .goAway:
                    return
                case .pong:
                    continue
                case .hello, .response, .status:
                    throw ProtocolViolation.unexpectedFrame(frame.type, "not sent by clients after HELLO")
                }
            }
        }
    }

    /// The REQUEST with its mode-3 message part inflated (mode 0). A part that does not inflate
    /// breaks the stream for every later call: a connection error.
    private static func inflate(_ frame: Frame, with inflater: ContextInflater, limit: Int) throws(ProtocolViolation) -> Frame {
        guard let offset = MessageCodec.messageOffset(ofRequest: frame) else { throw .compressionContext(.corrupt) }
        let part = frame.body.getSlice(at: frame.body.readerIndex + offset, length: frame.body.readableBytes - offset)!
        do {
            let message = try inflater.decompress(part, limit: limit)
            return MessageCodec.replacingMessage(of: frame, at: offset, with: message, compression: .none)
        } catch {
            throw .compressionContext(error)
        }
    }

    /// Runs one call to its RESPONSE or STATUS frame, within its deadline.
    private func answer(_ frame: Frame, context: CallContext) async -> Frame {
        let request: MessageCodec.Request
        do {
            request = try MessageCodec.openRequest(frame, limits: configuration.limits, dictionary: context.dictionary)
        } catch {
            return MessageCodec.status(callID: frame.callID, error: error)
        }
        guard let method = request.method else {
            return MessageCodec.status(
                callID: frame.callID,
                error: RPCError(code: .unimplemented, message: "method \(request.methodNumber) is not defined in v1"))
        }
        let timeout = request.metadata.timeoutMs
        var traced = context
        if !request.metadata.traceID.isEmpty {
            guard request.metadata.traceID.utf8.count <= 64 else {
                return MessageCodec.status(callID: frame.callID, error: RPCError(code: .invalidArgument, message: "trace_id longer than 64 bytes"))
            }
            traced.logger[metadataKey: "giupxa.trace"] = "\(request.metadata.traceID)"
        }
        let context = traced
        do {
            let response = try await Deadline.run(milliseconds: timeout) {
                try await service.handle(method, message: request.message, context: context)
            }
            let reply = MessageCodec.response(callID: frame.callID, message: response, dictionary: context.dictionary)
            // Never send what the client's decoder must refuse: that would cost the connection.
            guard reply.body.readableBytes <= configuration.limits.maxFrameBytes else {
                return MessageCodec.status(callID: frame.callID, error: RPCError(
                    code: .resourceExhausted,
                    message: context.language.pick(
                        vi: "Kết quả quá lớn (\(reply.body.readableBytes) byte); hãy yêu cầu ít hơn mỗi lần",
                        en: "Answer too large (\(reply.body.readableBytes) bytes); ask for less per call")))
            }
            return reply
        } catch let error as RPCError {
            return MessageCodec.status(callID: frame.callID, error: error)
        } catch is DeadlineExceeded {
            return MessageCodec.status(
                callID: frame.callID,
                error: RPCError(code: .deadlineExceeded, message: context.language.pick(
                    vi: "Hết thời hạn \(timeout) ms của cuộc gọi", en: "Call deadline of \(timeout) ms exceeded")))
        } catch {
            // The connection is going away (its task group was cancelled); nobody reads this.
            return MessageCodec.status(callID: frame.callID, error: RPCError(code: .cancelled, message: "call cancelled"))
        }
    }
}

/// Calls in flight on one connection, shared by the read loop and the call tasks.
final class CallTable: Sendable {
    private let state = NIOLockedValueBox<(running: Set<UInt32>, cancelled: Set<UInt32>, last: UInt32)>(([], [], 0))

    /// Records a new call id; false when it does not increase (a connection error).
    func accept(_ id: UInt32) -> Bool {
        state.withLockedValue { s in
            guard id > s.last else { return false }
            s.last = id
            return true
        }
    }

    /// The highest call id accepted so far, for GOAWAY: calls above it were never started.
    var lastAccepted: UInt32 { state.withLockedValue { $0.last } }

    /// Registers a call; false when the connection is at its concurrency limit.
    func start(_ id: UInt32, limit: Int) -> Bool {
        state.withLockedValue { s in
            guard s.running.count < limit else { return false }
            s.running.insert(id)
            return true
        }
    }

    func cancel(_ id: UInt32) {
        state.withLockedValue { s in if s.running.contains(id) { s.cancelled.insert(id) } }
    }

    /// Removes the call; true when its answer should still be sent.
    func finish(_ id: UInt32) -> Bool {
        state.withLockedValue { s in
            s.running.remove(id)
            return s.cancelled.remove(id) == nil
        }
    }
}

struct DeadlineExceeded: Error {}

enum Deadline {
    /// Runs `body`, giving up after `milliseconds` (0 = no deadline). A storage write that
    /// commits after the deadline is still committed: the client's retry finds it stored.
    static func run<T: Sendable>(milliseconds: UInt32, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
        guard milliseconds > 0 else { return try await body() }
        return try await withThrowingTaskGroup(of: T.self) { group in
            group.addTask { try await body() }
            group.addTask {
                try await Task.sleep(for: .milliseconds(Int64(milliseconds)))
                throw DeadlineExceeded()
            }
            defer { group.cancelAll() }
            return try await group.next()!
        }
    }
}
