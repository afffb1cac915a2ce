public import GiupXaMessages
import GiupXaModels
public import GiupXaProtocol
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
#if canImport(Glibc)
import Glibc
#endif
public import SwiftProtobuf

/// How a connection protects its traffic (PROTOCOL.md §12).
public enum ConnectionSecurity: Sendable {
    /// v2: Noise IKpsk2 with the credential's keys; encrypted and authenticated.
    case secured(SecureCredential)
    /// v1: nothing is encrypted. Loopback tests and diagnostics only.
    case plaintext

    var preamble: Preamble {
        switch self {
        case .secured: SecureChannel.preamble
        case .plaintext: Preamble(minVersion: 1, maxVersion: 1)
        }
    }
}

/// A client connection to a GiupXa server. `connect` returns as soon as TCP is up: the HELLO
/// is queued and leaves with the first call, so a sync costs TCP's handshake plus one round
/// trip per call, with no round trip for the HELLO.
public final class GiupXaConnection: Sendable {
    let channel: any Channel
    private let hello: EventLoopFuture<Frame>
    public let bytes: ByteCounters
    let limits: ProtocolLimits
    /// The dictionary offered in our HELLO (mode 2), until the server says it lacks it.
    private let dictionary: NIOLockedValueBox<CompressionDictionary?>
    /// What the HELLO offered: the server answers in mode 2 only with this one.
    private let offered: CompressionDictionary?
    /// Mode 3 offered: the pipeline's ClientCallHandler compresses every REQUEST, in wire order.
    private let compressesInPipeline: Bool
    /// The agency part our HELLO offered (§9.5), if any.
    public let agencyDictionary: AgencyDictionary?
    /// Why the server ended the connection (its GOAWAY), for calls started after it closed.
    private let ended: ConnectionEnd
    /// The HELLO's language: the link's own failures are worded in it too.
    let language: Language

    private init(
        channel: any Channel, hello: EventLoopFuture<Frame>, bytes: ByteCounters, limits: ProtocolLimits,
        dictionary: CompressionDictionary?, agencyDictionary: AgencyDictionary?, compressesInPipeline: Bool, ended: ConnectionEnd,
        language: Language
    ) {
        self.ended = ended
        self.language = language
        self.dictionary = NIOLockedValueBox(dictionary)
        self.offered = dictionary
        self.agencyDictionary = agencyDictionary
        self.compressesInPipeline = compressesInPipeline
        self.channel = channel
        self.hello = hello
        self.bytes = bytes
        self.limits = limits
    }

    /// - Parameters:
    ///   - security: `.secured` (v2, the default everywhere) or `.plaintext` (v1: loopback and
    ///     diagnostics only; the credential crosses the wire in clear).
    ///   - onCounterFloor: called when the server refuses a v2 handshake counter as too low,
    ///     with the highest counter it has seen; the next connection must use a larger one.
    ///   - agencyDictionary: an agency part to offer (§9.5): the HELLO names it as an extension of
    ///     the dictionary it offers, and both directions compress against the two if the server
    ///     has the same part.
    public static func connect(
        host: String, port: Int, hello: Giupxa_V1_ClientHello, security: ConnectionSecurity,
        connectTimeout: Duration = .seconds(20), keepalive: Duration = .seconds(30), limits: ProtocolLimits = .default,
        agencyDictionary: AgencyDictionary? = nil, onCounterFloor: @escaping @Sendable (UInt64) -> Void = { _ in }
    ) async throws -> GiupXaConnection {
        let bytes = ByteCounters()
        let ended = ConnectionEnd()
        let language = Language(rawValue: hello.language) ?? .vi
        let group = MultiThreadedEventLoopGroup.singleton
        let helloPromise = group.any().makePromise(of: Frame.self)
        var hello = hello
        // Only a published dictionary can be extended.
        let base = CompressionDictionary.known(hello.compressionDictionary)
        let agencyDictionary = base == nil ? nil : agencyDictionary
        let offered = agencyDictionary.map { $0.extending(base!) } ?? base
        if let agencyDictionary, let offered {
            hello.compressionDictionary = offered.id
            hello.agencyDictionary = agencyDictionary.hello
        }
        let stream = ContextCodec(requestedBy: hello)
        let channel: any Channel
        do {
            channel = try await ClientBootstrap(group: group)
                .connectTimeout(.milliseconds(connectTimeout.milliseconds))
                .channelOption(.socketOption(.tcp_nodelay), value: 1)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        let sync = channel.pipeline.syncOperations
                        // Counted at the socket: what the link really carries.
                        try sync.addHandler(ByteCountingHandler(counters: bytes))
                        if case .secured(let credential) = security {
                            try sync.addHandler(SecureClientHandler(credential: credential))
                        }
                        try sync.addHandlers([
                            // Quiet for this long with calls waiting: PING (see ClientCallHandler).
                            IdleStateHandler(readTimeout: .milliseconds(keepalive.milliseconds)),
                            ByteToMessageHandler(FrameDecoder(expectPreamble: false, limits: limits)),
                            ClientCallHandler(
                                helloPromise: helloPromise, preamble: security.preamble,
                                compressor: stream.map { RequestCompressor(dictionary: offered, codec: $0) },
                                onCounterFloor: onCounterFloor, ended: ended, language: language),
                        ])
                    }
                }
                .connect(host: host, port: port).get()
        } catch {
            helloPromise.fail(error)
            throw RPCError(code: .unavailable, message: LinkFailure.cannotConnect(host: host, port: port, error, language: language))
        }
        channel.write(ClientOutbound.hello(MessageCodec.clientHello(hello)), promise: nil)
        let connection = GiupXaConnection(
            channel: channel, hello: helloPromise.futureResult, bytes: bytes, limits: limits,
            dictionary: offered, agencyDictionary: agencyDictionary, compressesInPipeline: stream != nil, ended: ended,
            language: language)
        // Calls pipelined behind the HELLO use the dictionary on trust; later ones only if the
        // server confirmed it.
        helloPromise.futureResult.whenSuccess { [dictionary = connection.dictionary] frame in
            if (try? MessageCodec.decode(Giupxa_V1_ServerHello.self, from: frame.body))?.compressionDictionary != offered?.id {
                dictionary.withLockedValue { $0 = nil }
            }
        }
        return connection
    }

    /// The HELLO a connection starts with; in v2 the credential is proven by the handshake and
    /// only the counter travels. (`connect` adds an agency dictionary's fields.)
    public static func hello(
        agencyCode: String, security: ConnectionSecurity, secret: String, counter: UInt64, language: String,
        requestStream: ContextCodec = .lzma2
    ) -> Giupxa_V1_ClientHello {
        var hello = Giupxa_V1_ClientHello()
        hello.clientName = "giupxa/0.2"
        hello.credential.agencyCode = agencyCode
        hello.language = language
        hello.compressionDictionary = CompressionDictionary.visits1.id
        // One stream for our calls: a sync's batches compress as one (§9.3). LZMA2 (§9.4) sends
        // large ones about 30 % smaller than deflate; short calls then go in mode 2.
        hello.compressionContext = requestStream == .deflate
        hello.compressionContextLzma2 = requestStream == .lzma2
        // Results matched by position: no 16-byte id echoed per visit (§6.3).
        hello.resultsByPosition = true
        // We show neither the server's name nor the agency's: they need not cross the link (§3.3).
        hello.withoutNames = true
        switch security {
        case .secured: hello.handshakeCounter = counter
        case .plaintext: hello.credential.secret = secret
        }
        return hello
    }

    /// The server's HELLO; throws the server's reason (UNAUTHENTICATED, …) if it refused us.
    public func serverHello() async throws -> Giupxa_V1_ServerHello {
        let frame: Frame
        do {
            // The flush only matters if no call has carried the HELLO yet; on a connection that
            // has since closed it fails, while the HELLO already received is still good.
            try? await channel.writeAndFlush(ClientOutbound.flushHello)
            frame = try await hello.get()
        } catch let error as RPCError {
            throw error
        } catch {
            throw RPCError(code: .unavailable, message: LinkFailure.broken(error, language: language))
        }
        return try MessageCodec.decode(Giupxa_V1_ServerHello.self, from: frame.body)
    }

    /// Whether the server took the agency dictionary our HELLO offered; nil if none was offered
    /// or the HELLO failed.
    public func agencyDictionaryAccepted() async -> Bool? {
        guard agencyDictionary != nil, let hello = try? await serverHello() else { return nil }
        return hello.compressionDictionary == offered?.id
    }

    /// One unary call. Throws RPCError with the server's status, DEADLINE_EXCEEDED after
    /// `timeout`, or UNAVAILABLE if the connection drops.
    public func call<Response: SwiftProtobuf.Message>(
        _ method: Method, _ request: some SwiftProtobuf.Message, as: Response.Type = Response.self,
        timeout: Duration = .seconds(60)
    ) async throws -> Response {
        try await startCalls(method, [request], as: Response.self, timeout: timeout)[0].response()
    }

    /// Starts several calls at once: their REQUEST frames leave in one flush, so on a new
    /// connection they all travel with the HELLO (in a secured connection's first message)
    /// instead of waiting a round trip. Await each answer with `response()`, in any order.
    public func startCalls<Request: SwiftProtobuf.Message, Response: SwiftProtobuf.Message>(
        _ method: Method, _ requests: [Request], as: Response.Type = Response.self, timeout: Duration = .seconds(60)
    ) -> [PendingCall<Response>] {
        requests.enumerated().map { index, request in
            send(requestFrame(method, request, timeout: timeout), timeout: timeout, flush: index == requests.count - 1, prepared: false)
        }
    }

    /// Calls whose messages are compressed now and sent later by `start(_:)`: what a caller
    /// that must not spend CPU at sending time needs (the capacity benchmark's load generator,
    /// Tools/bench). In a mode-3 stream each message is compressed against those before it, so
    /// start them in the order they were prepared, and make no other call on this connection
    /// from the first `prepare` on. Prepare after the server's HELLO has answered (after a first
    /// call): which stream the connection uses is settled then.
    public func prepare<Request: SwiftProtobuf.Message>(
        _ method: Method, _ requests: [Request], timeout: Duration = .seconds(60)
    ) async throws -> [PreparedCall] {
        let frames = requests.map { requestFrame(method, $0, timeout: timeout) }
        guard compressesInPipeline else { return frames.map { PreparedCall(frame: $0, timeout: timeout) } }
        let channel = self.channel
        return try await channel.eventLoop.submit {
            try channel.pipeline.syncOperations.handler(type: ClientCallHandler.self).compress(frames, allocator: channel.allocator)
        }.get().map { PreparedCall(frame: $0, timeout: timeout) }
    }

    /// Sends a call made ready by `prepare`.
    public func start<Response: SwiftProtobuf.Message>(_ call: PreparedCall, as: Response.Type = Response.self) -> PendingCall<Response> {
        send(call.frame, timeout: call.timeout, flush: true, prepared: true)
    }

    private func requestFrame(_ method: Method, _ request: some SwiftProtobuf.Message, timeout: Duration) -> Frame {
        var metadata = Giupxa_V1_CallMetadata()
        metadata.timeoutMs = UInt32(clamping: timeout.milliseconds)
        return MessageCodec.request(
            callID: 0, method: method, metadata: metadata, message: request, compress: !compressesInPipeline,
            dictionary: dictionary.withLockedValue { $0 })
    }

    private func send<Response: SwiftProtobuf.Message>(_ frame: Frame, timeout: Duration, flush: Bool, prepared: Bool) -> PendingCall<Response> {
        let promise = channel.eventLoop.makePromise(of: Frame.self)
        let ended = self.ended
        channel.write(ClientOutbound.call(frame, timeout: .milliseconds(timeout.milliseconds), promise: promise, flush: flush, prepared: prepared))
            .whenFailure { error in promise.fail(ended.reason ?? error) }
        return PendingCall(answer: promise.futureResult, hello: hello, limits: limits, dictionary: offered, language: language)
    }

    public func close() async {
        try? await channel.close()
    }
}

/// A REQUEST ready to send (GiupXaConnection.prepare), its message already compressed.
public struct PreparedCall: Sendable {
    let frame: Frame
    let timeout: Duration

    init(frame: Frame, timeout: Duration) {
        self.frame = frame
        self.timeout = timeout
    }

    /// A REQUEST frame built by the caller and sent as it is, its call id set at sending: what
    /// no client would send, for the hostile-input benchmark (Tools/bench `hostile`).
    public init(rawRequest frame: Frame, timeout: Duration) {
        self.init(frame: frame, timeout: timeout)
    }

    /// The REQUEST frame's body as it will be sent.
    public var bodyBytes: Int { frame.body.readableBytes }
}

/// A call on the wire: `response()` waits for its answer.
public struct PendingCall<Response: SwiftProtobuf.Message>: Sendable {
    let answer: EventLoopFuture<Frame>
    let hello: EventLoopFuture<Frame>
    let limits: ProtocolLimits
    let dictionary: CompressionDictionary?
    let language: Language

    public func response() async throws -> Response {
        let frame: Frame
        do {
            frame = try await answer.get()
        } catch let error as RPCError {
            throw error
        } catch {
            // Writing to a connection that just died: the link failed, retrying may help.
            throw RPCError(code: .unavailable, message: LinkFailure.broken(error, language: language))
        }
        // A refused HELLO also fails the call: report the server's reason rather than the call's.
        _ = try await hello.get()
        switch frame.type {
        case .response:
            let message = try MessageCodec.openMessage(frame.body, compression: frame.flags.compression, limits: limits, dictionary: dictionary)
            return try MessageCodec.decode(Response.self, from: message)
        default:
            throw RPCError(try MessageCodec.decode(Giupxa_V1_Status.self, from: frame.body))
        }
    }
}

/// The server's reason for ending a connection, kept for calls started after it closed: a
/// revoked credential's later calls say so rather than "I/O on closed channel".
final class ConnectionEnd: Sendable {
    private let box = NIOLockedValueBox<RPCError?>(nil)

    var reason: RPCError? { box.withLockedValue { $0 } }

    func record(_ error: RPCError) { box.withLockedValue { if $0 == nil { $0 = error } } }
}
