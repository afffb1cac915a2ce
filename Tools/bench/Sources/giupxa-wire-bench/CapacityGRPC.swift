// Built only with the Peers trait (the default): part (c) measures GiupXa against gRPC.
#if Peers
import ArgumentParser
import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import GRPCProtobuf
import GiupXaMessages
import GiupXaModels
import GiupXaProtocol
import GiupXaServer
import GiupXaStorage
import Logging

/// Part (c): the gRPC peer that does the GiupXa server's work. It reads assignments from its own
/// `SQLiteStore` (a database made by `giupxa-server init`, as GiupXa's) and stores visits through
/// the server's own `VisitIntake` (validation, permission check, one transaction per call, WAL
/// with synchronous=FULL), so STORED means durable on both sides. Unlike the parts (a)/(b)
/// `VisitsService`, which stores nothing.
struct StoringVisitsService: Giupxa_Bench_Visits.ServiceProtocol {
    let store: SQLiteStore
    let intake: VisitIntake
    /// The bearer token names one agency: looked up once, as GiupXa's HELLO does per connection.
    let agency: Agency
    let token: String
    let logger: Logger

    private func refused(_ metadata: Metadata) -> Bool {
        !metadata[stringValues: "authorization"].contains("Bearer \(token)")
    }

    func submitVisits(
        request: ServerRequest<Giupxa_V1_SubmitVisitsRequest>, context: ServerContext
    ) async throws -> ServerResponse<Giupxa_V1_SubmitVisitsResponse> {
        if refused(request.metadata) { return ServerResponse(error: GRPCCore.RPCError(code: .unauthenticated, message: "unknown credential")) }
        return ServerResponse(message: try await intake.submit(request.message, agency: agency, language: .vi, logger: logger))
    }

    /// As GiupXa's `VisitService.listAssignments` with no day: every assignment of the agency.
    func listAssignments(
        request: ServerRequest<Giupxa_V1_ListAssignmentsRequest>, context: ServerContext
    ) async throws -> ServerResponse<Giupxa_V1_ListAssignmentsResponse> {
        if refused(request.metadata) { return ServerResponse(error: GRPCCore.RPCError(code: .unauthenticated, message: "unknown credential")) }
        var response = Giupxa_V1_ListAssignmentsResponse()
        response.assignments = try await store.assignments(agencyCode: agency.code, on: nil).map {
            Giupxa_V1_Assignment($0.detail, isSample: $0.isSample)
        }
        return ServerResponse(message: response)
    }
}

/// The gRPC peer's server, run as a child process of the benchmark (this executable, hidden
/// subcommand), so that, like `giupxa-server`, it does not share a process, event loops or a
/// task pool with the load generator. One plaintext and one TLS listener over one store.
struct CapacityGRPCServerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "capacity-grpc-server", abstract: "Internal: the gRPC peer of the capacity part.", shouldDisplay: false)

    @Option var db: String
    @Option var token: String
    @Option var portFile: String
    @Option var tlsPortFile: String
    @Option var tlsCert: String
    @Option var tlsKey: String

    func run() async throws {
        let store = try SQLiteStore(path: db)
        guard let agency = try await store.agency(code: Workload.agency) else { throw BenchError("no agency \(Workload.agency) in \(db)") }
        // As `giupxa-server serve --log-level error`.
        var logger = Logger(label: "giupxa-bench.grpc")
        logger.logLevel = .error
        let service = StoringVisitsService(
            store: store, intake: VisitIntake(store: store, maxVisitsPerBatch: ProtocolLimits.default.maxVisitsPerBatch),
            agency: agency, token: token, logger: logger)
        // The same transport settings as the parts (a)/(b) server.
        let config = HTTP2ServerTransport.Posix.Config.defaults { $0.compression.enabledAlgorithms = .gzip }
        let plain = HTTP2ServerTransport.Posix(address: .ipv4(host: "127.0.0.1", port: 0), transportSecurity: .plaintext, config: config)
        let certPEM = try Data(contentsOf: URL(fileURLWithPath: tlsCert))
        let keyPEM = try Data(contentsOf: URL(fileURLWithPath: tlsKey))
        let tls = HTTP2ServerTransport.Posix(
            address: .ipv4(host: "127.0.0.1", port: 0),
            transportSecurity: .tls(certificateChain: [.bytes(Array(certPEM), format: .pem)], privateKey: .bytes(Array(keyPEM), format: .pem)),
            config: config)
        try await withThrowingDiscardingTaskGroup { group in
            for transport in [plain, tls] {
                group.addTask { try await GRPCServer(transport: transport, services: [service]).serve() }
            }
            for (transport, file) in [(plain, portFile), (tls, tlsPortFile)] {
                guard let port = try await transport.listeningAddress.ipv4?.port else { throw BenchError("gRPC server has no IPv4 address") }
                try "\(port)\n".write(toFile: file, atomically: true, encoding: .utf8)
            }
        }
    }

    /// Starts it on a database initialised by `giupxa-server init` (the same reference data and
    /// sample decision as GiupXa's).
    static func start(serverBinary: String, directory: URL, token: String, tls: TLSMaterial) async throws -> (ChildProcess, plain: Int, tls: Int) {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let db = directory.appendingPathComponent("grpc.sqlite").path
        try Tool.run(serverBinary, ["init", "--db", db])
        let cert = directory.appendingPathComponent("leaf.pem")
        let key = directory.appendingPathComponent("leaf-key.pem")
        try tls.leafPEM.write(to: cert, atomically: true, encoding: .utf8)
        try tls.leafKeyPEM.write(to: key, atomically: true, encoding: .utf8)
        let portFile = directory.appendingPathComponent("grpc.port")
        let tlsPortFile = directory.appendingPathComponent("grpc-tls.port")
        guard let me = Bundle.main.executableURL?.path else { throw BenchError("cannot find this executable") }
        let process = try ChildProcess(
            me, ["capacity-grpc-server", "--db", db, "--token", token, "--port-file", portFile.path, "--tls-port-file", tlsPortFile.path,
                 "--tls-cert", cert.path, "--tls-key", key.path],
            name: "capacity-grpc-server", log: directory.appendingPathComponent("grpc.log"))
        Children.register(process)
        let plainPort = try await Tool.port(from: portFile, process: process)
        let tlsPort = try await Tool.port(from: tlsPortFile, process: process)
        return (process, plainPort, tlsPort)
    }
}

/// grpc-swift-2 clients, one HTTP/2 connection each, with the parts (a)/(b) client settings
/// (bearer metadata, 120 s deadline, TLS 1.3 as the transport ships it); message compression
/// off unless `gzip` (gRPC's default; gzip only costs CPU here).
struct GRPCCapacityClient: CapacityClient {
    let port: Int
    let secured: Bool
    let tls: TLSMaterial
    let token: String
    let gzip: Bool
    let call: CapacityCall

    func withConnection(index: Int, _ body: @Sendable (_ call: @Sendable () async throws -> CallOutcome) async throws -> Void) async throws {
        let gzip = self.gzip
        let config = HTTP2ClientTransport.Posix.Config.defaults { config in
            if gzip { config.compression = .init(algorithm: .gzip, enabledAlgorithms: .gzip) }
        }
        let caPEM = tls.caPEM
        let security: HTTP2ClientTransport.Posix.TransportSecurity
        if secured {
            security = .tls { config in
                config.trustRoots = .certificates([.bytes(Array(caPEM.utf8), format: .pem)])
                config.serverCertificateVerification = .fullVerification
            }
        } else {
            security = .plaintext
        }
        let options: CallOptions = {
            var options = CallOptions.defaults
            if gzip { options.compression = .gzip }
            options.timeout = .seconds(120)
            return options
        }()
        let metadata: Metadata = ["authorization": "Bearer \(token)"]
        let call = self.call
        try await withGRPCClient(
            transport: try .http2NIOPosix(target: .ipv4(address: "127.0.0.1", port: port), transportSecurity: security, config: config)
        ) { client in
            let service = Giupxa_Bench_Visits.Client(wrapping: client)
            switch call {
            case .small:
                try await body {
                    let response = try await service.listAssignments(Giupxa_V1_ListAssignmentsRequest(), metadata: metadata, options: options)
                    return CallOutcome(ok: response.assignments.isEmpty ? 0 : 1, sent: 1)
                }
            case .ingest(let template):
                // Requests built before the clock starts, as GiupXa's are compressed then.
                let prepared = (0..<template.prepared).map { _ in template.fresh() }
                let next = Locked(0)
                try await body {
                    let index = next.takeNext()
                    if index >= prepared.count { template.ranOut.withLock { $0 += 1 } }
                    let request = index < prepared.count ? prepared[index] : template.fresh()
                    let response = try await service.submitVisits(request, metadata: metadata, options: options)
                    return CallOutcome(ok: response.results.count(where: { $0.outcome == .stored }), sent: request.visits.count)
                }
            }
        }
    }
}
#endif
