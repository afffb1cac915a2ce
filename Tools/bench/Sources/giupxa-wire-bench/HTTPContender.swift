// Built only with the Peers trait (the default); CI's quick build leaves gRPC and HTTP out.
#if Peers
import AsyncHTTPClient
import Foundation
import GiupXaMessages
import GiupXaModels
import GiupXaProtocol
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import Logging
import NIOCore
import NIOPosix
import NIOSSL
import SwiftProtobuf

/// HTTP/1.1 + JSON + gzip: one `POST /visits` per sync with the protobuf JSON mapping of the same
/// SubmitVisitsRequest (swift-protobuf's encoder), gzipped (`Content-Encoding: gzip`), an
/// `Authorization: Bearer` header, and `Accept-Encoding: gzip` for the answer. Client:
/// async-http-client (HTTP/1.1 only; one new client, hence one new connection, per sync).
/// Server: Hummingbird 2, plain or TLS (HummingbirdTLS / NIOSSL).
struct HTTPContender: Contender {
    let keyExchange: KeyExchange
    let plainPort: Int
    let tlsPort: Int
    let token: String
    let tls: TLSMaterial

    var name: String { "HTTP/JSON" + keyExchange.suffix }
    var isBatched: Bool { true }
    var onlyFor: Set<Int>? { nil }
    var modes: [Security] { keyExchange == .shipped ? [.plain, .secured] : [.secured] }

    func upstreamPort(_ security: Security) -> Int { security == .plain ? plainPort : tlsPort }

    func makeClient(_ security: Security, directory: URL) throws -> any ContenderClient {
        Client(security: security, token: token, tls: security == .secured ? try tls.clientConfiguration(keyExchange, alpn: []) : nil)
    }

    struct Client: ContenderClient {
        let security: Security
        let token: String
        let tls: TLSConfiguration?

        func sync(port: Int, visits: [Visit]) async throws -> SyncResult {
            var configuration = HTTPClient.Configuration(
                tlsConfiguration: nil, redirectConfiguration: nil, timeout: .init(), connectionPool: .init(), proxy: nil,
                ignoreUncleanSSLShutdown: false, decompression: .disabled)
            configuration.httpVersion = .http1Only
            configuration.tlsConfiguration = tls
            let scheme = tls == nil ? "http" : "https"
            let json = try Workload.request(visits).jsonUTF8Data()

            let started = ContinuousClock.now
            let client = HTTPClient(eventLoopGroup: MultiThreadedEventLoopGroup.singleton, configuration: configuration)
            let result: Result<(Int, Duration), any Error>
            do {
                var request = HTTPClientRequest(url: "\(scheme)://127.0.0.1:\(port)/visits")
                request.method = .POST
                request.headers.add(name: "Content-Type", value: "application/json")
                request.headers.add(name: "Content-Encoding", value: "gzip")
                request.headers.add(name: "Accept-Encoding", value: "gzip")
                request.headers.add(name: "Authorization", value: "Bearer \(token)")
                request.body = .bytes(ByteBuffer(bytes: Gzip.compress(Array(json))))
                let response = try await client.execute(request, timeout: .seconds(120))
                guard response.status == .ok else { throw BenchError("HTTP server answered \(response.status)") }
                var body = Array(buffer: try await response.body.collect(upTo: 64 << 20))
                if response.headers.first(name: "Content-Encoding") == "gzip" { body = try Gzip.decompress(body) }
                let answer = try Giupxa_V1_SubmitVisitsResponse(jsonUTF8Data: Data(body))
                result = .success((answer.results.count(where: { $0.outcome == .stored }), ContinuousClock.now - started))
            } catch {
                result = .failure(error)
            }
            try await client.shutdown()
            let (stored, elapsed) = try result.get()
            return SyncResult(seconds: elapsed.seconds, stored: stored, calls: 1)
        }
    }
}

/// The HTTP server: `POST /visits`, answering like GiupXa (see Workload.answer). Answers are
/// gzipped when the client accepts it and it makes them smaller. Stores nothing.
struct HTTPServerHandle: Sendable {
    let port: Int
    let task: Task<Void, any Error>

    /// - Parameter tls: nil for plain HTTP; otherwise TLS with the given key exchange.
    static func start(tls: (TLSMaterial, KeyExchange)?, token: String) async throws -> HTTPServerHandle {
        let router = Router()
        router.post("visits") { request, _ -> Response in
            guard request.headers[.authorization] == "Bearer \(token)" else { return Response(status: .unauthorized) }
            var request = request
            var body = Array(buffer: try await request.collectBody(upTo: 64 << 20))
            if request.headers[.contentEncoding] == "gzip" { body = try Gzip.decompress(body) }
            let submit = try Giupxa_V1_SubmitVisitsRequest(jsonUTF8Data: Data(body))
            var answer = Array(try Workload.answer(submit).jsonUTF8Data())
            var headers: HTTPFields = [.contentType: "application/json"]
            if request.headers[.acceptEncoding]?.contains("gzip") == true {
                let gzipped = Gzip.compress(answer)
                if gzipped.count < answer.count {
                    answer = gzipped
                    headers[.contentEncoding] = "gzip"
                }
            }
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: answer)))
        }
        let server: HTTPServerBuilder
        if let (material, keyExchange) = tls {
            server = try .tls(.http1(), tlsConfiguration: try material.serverConfiguration(keyExchange, alpn: []))
        } else {
            server = .http1()
        }
        var logger = Logger(label: "giupxa-wire-bench.http")
        logger.logLevel = .critical
        let (ports, sink) = AsyncStream.makeStream(of: Int.self)
        let app = Application(
            router: router, server: server, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in sink.yield(channel.localAddress?.port ?? 0) }, logger: logger)
        let task = Task { try await app.run() }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next(), port > 0 else { throw BenchError("HTTP server did not start") }
        return HTTPServerHandle(port: port, task: task)
    }
}
#endif
