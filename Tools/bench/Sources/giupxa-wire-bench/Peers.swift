// Built only with the Peers trait (the default); CI's quick build leaves gRPC and HTTP out.
#if Peers
/// The general-purpose contenders, each behind its own in-process server: gRPC and HTTP/JSON,
/// plaintext and TLS (as shipped, and limited to X25519 like Noise).
struct Peers {
    var contenders: [any Contender] = []
    var tasks: [Task<Void, any Error>] = []
    var tlsLeafCertificateBytes: Int?

    /// - Parameter token: the bearer credential every peer checks (GiupXa's own secret text, so
    ///   all contenders carry a credential of the same size).
    static func start(token: String) async throws -> Peers {
        var peers = Peers()
        let material = try TLSMaterial.make()
        peers.tlsLeafCertificateBytes = material.leafDERSize
        var grpcTLSPorts: [KeyExchange: Int] = [:]
        var httpTLSPorts: [KeyExchange: Int] = [:]
        let grpcPlain = try await GRPCServerHandle.start(tls: nil, token: token)
        let httpPlain = try await HTTPServerHandle.start(tls: nil, token: token)
        peers.tasks = [grpcPlain.task, httpPlain.task]
        for keyExchange in [KeyExchange.shipped, .x25519] {
            let grpc = try await GRPCServerHandle.start(tls: (material, keyExchange), token: token)
            let http = try await HTTPServerHandle.start(tls: (material, keyExchange), token: token)
            grpcTLSPorts[keyExchange] = grpc.port
            httpTLSPorts[keyExchange] = http.port
            peers.tasks += [grpc.task, http.task]
        }
        for (mode, keyExchange) in [(GRPCContender.Mode.batch, KeyExchange.shipped), (.batch, .x25519), (.perVisit, .shipped)] {
            peers.contenders.append(GRPCContender(
                mode: mode, keyExchange: keyExchange, plainPort: grpcPlain.port, tlsPort: grpcTLSPorts[keyExchange]!, token: token, tls: material))
        }
        for keyExchange in [KeyExchange.shipped, .x25519] {
            peers.contenders.append(HTTPContender(
                keyExchange: keyExchange, plainPort: httpPlain.port, tlsPort: httpTLSPorts[keyExchange]!, token: token, tls: material))
        }
        return peers
    }
}
#endif
