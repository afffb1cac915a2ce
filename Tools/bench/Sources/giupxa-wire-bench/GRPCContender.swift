// Built only with the Peers trait (the default); CI's quick build leaves gRPC and HTTP out.
#if Peers
import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import GRPCProtobuf
import GiupXaMessages
import GiupXaModels
import GiupXaProtocol
import NIOCore
import NIOSSL

/// grpc-swift-2 over HTTP/2 (grpc-swift-nio-transport, NIO Posix), plaintext or TLS, with the
/// same messages (Protos/bench.proto wraps giupxa/v1's SubmitVisits), gzip on in both
/// directions, a bearer credential in the metadata and a 120 s deadline (GiupXa sends one too).
///
/// - `.batch`: one unary call carrying every visit.
/// - `.perVisit`: one unary call per visit, all started at once on the one connection
///   (HTTP/2 multiplexing; gRPC's best case for many small calls).
///
/// Key exchange `.shipped` is the transport's own `.tls` (swift-nio-ssl defaults); `.x25519`
/// installs the same TLS settings limited to X25519 through the transport's custom-security hooks.
struct GRPCContender: Contender {
    enum Mode: Sendable { case batch, perVisit }

    let mode: Mode
    let keyExchange: KeyExchange
    let plainPort: Int
    let tlsPort: Int
    let token: String
    let tls: TLSMaterial

    var name: String { (mode == .batch ? "gRPC batch" : "gRPC per visit") + keyExchange.suffix }
    var isBatched: Bool { mode == .batch }
    var onlyFor: Set<Int>? { mode == .batch ? nil : [20, 200] }
    var modes: [Security] { keyExchange == .shipped ? [.plain, .secured] : [.secured] }

    func upstreamPort(_ security: Security) -> Int { security == .plain ? plainPort : tlsPort }

    func makeClient(_ security: Security, directory: URL) throws -> any ContenderClient {
        var config = HTTP2ClientTransport.Posix.Config.defaults { config in
            config.compression = .init(algorithm: .gzip, enabledAlgorithms: .gzip)
        }
        let transportSecurity: HTTP2ClientTransport.Posix.TransportSecurity
        switch (security, keyExchange) {
        case (.plain, _):
            transportSecurity = .plaintext
        case (.secured, .shipped):
            let caPEM = tls.caPEM
            transportSecurity = .tls { config in
                config.trustRoots = .certificates([.bytes(Array(caPEM.utf8), format: .pem)])
                config.serverCertificateVerification = .fullVerification
            }
        case (.secured, .x25519):
            let context = try NIOSSLContext(configuration: tls.clientConfiguration(.x25519, alpn: ["grpc-exp", "h2"]))
            transportSecurity = .customSecure
            config.channelDebuggingCallbacks.onCreateTCPConnection = { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(NIOSSLClientHandler(context: context, serverHostname: nil), position: .first)
                }
            }
        }
        return Client(mode: mode, transportSecurity: transportSecurity, config: config, token: token)
    }

    struct Client: ContenderClient {
        let mode: Mode
        let transportSecurity: HTTP2ClientTransport.Posix.TransportSecurity
        let config: HTTP2ClientTransport.Posix.Config
        let token: String

        func sync(port: Int, visits: [Visit]) async throws -> SyncResult {
            let options: CallOptions = {
                var options = CallOptions.defaults
                options.compression = .gzip
                options.timeout = .seconds(120)
                return options
            }()
            let metadata: Metadata = ["authorization": "Bearer \(token)"]
            let requests: [Giupxa_V1_SubmitVisitsRequest] =
                mode == .batch ? [Workload.request(visits)] : visits.map { Workload.request([$0]) }

            let started = ContinuousClock.now
            let elapsed = Locked<Duration?>(nil)
            let stored = try await withGRPCClient(
                transport: try .http2NIOPosix(
                    target: .ipv4(address: "127.0.0.1", port: port), transportSecurity: transportSecurity, config: config)
            ) { client in
                let service = Giupxa_Bench_Visits.Client(wrapping: client)
                let stored = try await withThrowingTaskGroup(of: Int.self) { group in
                    for request in requests {
                        group.addTask {
                            let response = try await service.submitVisits(request, metadata: metadata, options: options)
                            guard response.results.count == request.visits.count else {
                                throw BenchError("gRPC answered \(response.results.count) results for \(request.visits.count) visits")
                            }
                            return response.results.count(where: { $0.outcome == .stored })
                        }
                    }
                    return try await group.reduce(0, +)
                }
                elapsed.withLock { $0 = ContinuousClock.now - started }
                return stored
            }
            return SyncResult(seconds: elapsed.value?.seconds ?? 0, stored: stored, calls: requests.count)
        }
    }
}

/// The gRPC server: answers like GiupXa's SubmitVisits and checks the bearer credential. It
/// stores nothing (the benchmark measures the wire, not the database).
struct VisitsService: Giupxa_Bench_Visits.ServiceProtocol {
    let token: String

    func submitVisits(
        request: ServerRequest<Giupxa_V1_SubmitVisitsRequest>, context: ServerContext
    ) async throws -> ServerResponse<Giupxa_V1_SubmitVisitsResponse> {
        guard request.metadata[stringValues: "authorization"].contains("Bearer \(token)") else {
            return ServerResponse(error: RPCError(code: .unauthenticated, message: "unknown credential"))
        }
        return ServerResponse(message: Workload.answer(request.message))
    }

    /// Part (c)'s small call; the capacity part uses `StoringVisitsService`, which reads the store.
    func listAssignments(
        request: ServerRequest<Giupxa_V1_ListAssignmentsRequest>, context: ServerContext
    ) async throws -> ServerResponse<Giupxa_V1_ListAssignmentsResponse> {
        ServerResponse(error: RPCError(code: .unimplemented, message: "parts (a)/(b) only submit visits"))
    }
}

/// A running in-process gRPC server.
struct GRPCServerHandle: Sendable {
    let port: Int
    let task: Task<Void, any Error>

    /// - Parameter tls: nil for plaintext; otherwise TLS with the given key exchange.
    static func start(tls: (TLSMaterial, KeyExchange)?, token: String) async throws -> GRPCServerHandle {
        var config = HTTP2ServerTransport.Posix.Config.defaults { $0.compression.enabledAlgorithms = .gzip }
        let security: HTTP2ServerTransport.Posix.TransportSecurity
        switch tls {
        case nil:
            security = .plaintext
        case let (material, .shipped)?:
            security = .tls(
                certificateChain: [.bytes(Array(material.leafPEM.utf8), format: .pem)],
                privateKey: .bytes(Array(material.leafKeyPEM.utf8), format: .pem))
        case let (material, .x25519)?:
            // The transport's own TLS settings cannot name curves: TLS goes in front of its
            // plaintext pipeline instead, with the settings it would have used.
            let context = try NIOSSLContext(configuration: material.serverConfiguration(.x25519, alpn: ["grpc-exp", "h2"]))
            security = .plaintext
            config.channelDebuggingCallbacks.onAcceptTCPConnection = { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: context), position: .first)
                }
            }
        }
        let transport = HTTP2ServerTransport.Posix(address: .ipv4(host: "127.0.0.1", port: 0), transportSecurity: security, config: config)
        let server = GRPCServer(transport: transport, services: [VisitsService(token: token)])
        let task = Task { try await server.serve() }
        guard let port = try await transport.listeningAddress.ipv4?.port else {
            throw BenchError("gRPC server has no IPv4 address")
        }
        return GRPCServerHandle(port: port, task: task)
    }
}
#endif
