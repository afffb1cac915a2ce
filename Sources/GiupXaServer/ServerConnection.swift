import Foundation
import GiupXaMessages
import GiupXaModels
import GiupXaProtocol
import GiupXaStorage
import Logging
import NIOCore

/// One client connection: preamble and HELLO, authentication, then calls handled
/// concurrently until the client closes. Calls queued behind the HELLO (the client need not
/// wait a round trip) are read only after authentication succeeds.
///
/// Only the handshake runs in a task; once authenticated, the connection is served by its
/// `ConnectionHandler` on the event loop, which starts one task per call. An idle connection
/// thus holds no task: a suspended task keeps every stack slab it has used (about 10 KB after
/// the handshake), which was half of the server's memory at 10,000 idle connections.
struct ServerConnection: Sendable {
    let channel: any Channel
    let handler: NIOLoopBound<ConnectionHandler>
    let session: SecureSession
    let service: VisitService
    let store: any GiupXaStore
    let configuration: ServerConfiguration
    let logger: Logger
    let drain: Drain
    let rates: RateLimiter
    let revocations: RevocationWatch
    let serverPublicKey: Data
    let heavyCalls: HeavyCallGate

    static let supportedVersions: ClosedRange<UInt8> = 1...2

    /// Runs the handshake, then hands the connection to its handler; on failure says why and
    /// closes.
    func run() async {
        var logger = logger
        if let remote = channel.remoteAddress { logger[metadataKey: "giupxa.peer"] = "\(remote)" }
        do {
            let (context, compressionContext) = try await handshake(logger: logger)
            try await channel.eventLoop.submit { [handler, self] in
                handler.value.serve(context: context, connection: self, compressionContext: compressionContext)
            }.get()
            return
        } catch let violation as ProtocolViolation {
            logger.notice("protocol violation", metadata: ["giupxa.reason": "\(violation)"])
            await close(after: MessageCodec.goAway(status: violation.status, lastCallID: 0))
        } catch let error as RPCError {
            // Authentication and handshake failures: say why, then close.
            await close(after: MessageCodec.goAway(status: error.status, lastCallID: 0))
        } catch let stale as StaleHandshakeCounter {
            await close(after: stale.goAway)
        } catch {
            logger.debug("connection ended", metadata: ["error": "\(error)"])
            await close(after: nil)
        }
        drain.unregister(channel)
    }

    private func close(after last: Frame?) async {
        if let last { try? await channel.writeAndFlush(last).get() }
        try? await channel.close().get()
    }

    /// The next event of the handshake; nil when the stream has ended.
    private func next() async throws -> WireEvent? {
        try await channel.eventLoop.flatSubmit { [handler] in handler.value.next() }.get()
    }

    /// Reads the preamble and HELLO, authenticates, and answers with the server's HELLO.
    /// Returns the calls' context and the codec of the client's mode-3 stream, if it asked for one (§9.3, §9.4).
    private func handshake(logger: Logger) async throws -> (CallContext, ContextCodec?) {
        let timeout = channel.eventLoop.scheduleTask(deadline: .now() + .seconds(configuration.handshakeTimeoutSeconds)) {
            [channel] in channel.close(promise: nil)
        }
        defer { timeout.cancel() }

        // A drain that ends the stream before the HELLO has arrived (a long first flight on a
        // slow link) is the server's doing: say so, so the client retries elsewhere or later.
        let shuttingDown = RPCError(code: .unavailable, message: "Máy chủ đang dừng, vui lòng kết nối lại sau / Server shutting down, reconnect later")
        guard case .preamble(let preamble)? = try await next() else {
            throw drain.isDraining ? shuttingDown : ProtocolViolation.badPreamble
        }
        // The bytes after the preamble follow the client's highest version (§3.2).
        let version = preamble.maxVersion
        guard preamble.minVersion <= preamble.maxVersion, Self.supportedVersions.contains(version) else {
            throw ProtocolViolation.unsupportedVersion(min: preamble.minVersion, max: preamble.maxVersion)
        }
        guard case .frame(let frame)? = try await next() else {
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
        let credential = try await Authenticator(store: store, serverPublicKey: serverPublicKey).authenticate(
            hello, version: version, session: session, language: language, logger: logger)
        let principal = credential.principal
        var server = Giupxa_V1_ServerHello()
        server.version = UInt32(version)
        // Names only for a client that wants them (ClientHello.without_names, §3.3).
        if !hello.withoutNames { server.serverName = configuration.serverName }
        var callLogger = logger
        switch principal {
        case .agency(let agency):
            server.agencyCode = agency.code
            if !hello.withoutNames { server.agencyName = agency.name }
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
        // Mode 3 from the client if it asks, in the codec it asks (its pipelined calls already
        // use it). The handler's decompressor allocates its state only at the first mode-3 message.
        var stream = ContextCodec(requestedBy: hello)
        let dictionary: CompressionDictionary?
        if let base = AgencyDictionary.base(ofID: hello.compressionDictionary) {
            // An agency dictionary (§9.5): unless our copy is the client's, its pipelined calls
            // are unreadable in modes 2 and 3 alike, so both are refused (it resends in mode 1).
            dictionary = await agencyDictionary(hello, extending: base, credential: credential, logger: callLogger)
            if dictionary == nil { stream = nil }
        } else {
            dictionary = CompressionDictionary.known(hello.compressionDictionary)
        }
        server.compressionDictionary = dictionary?.id ?? 0
        server.compressionContext = stream == .deflate
        server.compressionContextLzma2 = stream == .lzma2
        try await channel.writeAndFlush(MessageCodec.serverHello(server)).get()
        callLogger.debug("authenticated", metadata: ["giupxa.version": "\(version)"])
        let context = CallContext(
            principal: principal, language: language, logger: callLogger, dictionary: dictionary, resultsByPosition: hello.resultsByPosition,
            credentialID: credential.id)
        return (context, stream)
    }

    /// The agency dictionary the HELLO names (§9.5), if the visits first stored through this
    /// credential make the same part; nil for a different part, an operator, or a store error.
    private func agencyDictionary(
        _ hello: Giupxa_V1_ClientHello, extending base: CompressionDictionary, credential: AuthenticatedCredential, logger: Logger
    ) async -> CompressionDictionary? {
        guard case .agency = credential.principal,
              hello.hasAgencyDictionary,
              (1...AgencyDictionary.maxVisits).contains(Int(hello.agencyDictionary.visits))
        else { return nil }
        let count = Int(hello.agencyDictionary.visits)
        do {
            let visits = try await store.recentVisits(credentialID: credential.id, count: count)
            guard visits.count == count, let part = AgencyDictionary(exactly: visits), part.matches(hello.agencyDictionary) else {
                logger.debug("agency dictionary refused: not our copy", metadata: ["giupxa.visits": "\(count)"])
                return nil
            }
            return part.extending(base)
        } catch {
            logger.warning("agency dictionary refused: \(error)")
            return nil
        }
    }

    /// Plaintext (v1) only where nobody else is on the path, or when the operator chose it.
    private var plaintextAllowed: Bool {
        if configuration.allowPlaintext { return true }
        guard let ip = channel.remoteAddress?.ipAddress else { return false }
        return ip.hasPrefix("127.") || ip == "::1" || ip.hasPrefix("::ffff:127.")
    }

    /// The REQUEST with its mode-3 message part decompressed (mode 0). A part that does not
    /// decompress breaks the stream for every later call: a connection error.
    static func decompress(_ frame: Frame, with stream: any ContextDecompressor, limit: Int) throws(ProtocolViolation) -> Frame {
        guard let (offset, part) = MessageCodec.messagePart(ofRequest: frame) else { throw .compressionContext(.corrupt) }
        do {
            let message = try stream.decompress(part, limit: limit, allocator: ByteBufferAllocator())
            return MessageCodec.replacingMessage(of: frame, at: offset, with: message, compression: .none)
        } catch {
            throw .compressionContext(error)
        }
    }

    /// Runs one call to its RESPONSE or STATUS frame, within its deadline.
    func answer(_ frame: Frame, context: CallContext) async -> Frame {
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
            traced.logger[metadataKey: "giupxa.trace"] = "\(LogText.escaped(request.metadata.traceID))"
        }
        let context = traced
        do {
            let large = heavyCalls.isLarge(method, message: request.message)
            let response = try await Deadline.run(milliseconds: timeout) { [heavyCalls] in
                try await heavyCalls.run(large: large) {
                    try await service.handle(method, message: request.message, context: context)
                }
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
            // The call was cancelled (a protocol violation or the server stopping at once).
            return MessageCodec.status(callID: frame.callID, error: RPCError(code: .cancelled, message: "call cancelled"))
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
