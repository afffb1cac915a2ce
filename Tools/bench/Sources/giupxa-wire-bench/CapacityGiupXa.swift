// Built only with the Peers trait (the default): part (c) measures GiupXa against gRPC.
#if Peers
import Foundation
import GiupXaClient
import GiupXaModels
import GiupXaProtocol
import GiupXaServer
import GiupXaStorage

/// Part (c): the real GiupXa client (`AgencyClient.connect()`, `GiupXaConnection.call`) against
/// the real `giupxa-server` process. Every client is its own device: its own credential and
/// handshake counter (clients sharing one credential would race their anti-replay counters, and
/// the server refuses the late ones by design).
struct GiupXaCapacityClient: CapacityClient {
    let port: Int
    let secrets: [String]
    let counters: [InMemoryHandshakeCounter]
    let plaintext: Bool
    let call: CapacityCall

    func withConnection(index: Int, _ body: @Sendable (_ call: @Sendable () async throws -> CallOutcome) async throws -> Void) async throws {
        var client = try AgencyClient(
            host: "127.0.0.1", port: port, agencyCode: Workload.agency, secret: secrets[index], language: .vi,
            counters: counters[index], plaintext: plaintext)
        // The deflate request stream (§9.3): LZMA2's encoder (§9.4) would spend a core of the two
        // this machine shares with the servers on compressing 50-visit batches.
        client.requestStream = .deflate
        let connection = try await client.connect()
        do {
            switch call {
            case .small:
                try await body {
                    let response = try await connection.call(
                        .listAssignments, Giupxa_V1_ListAssignmentsRequest(), as: Giupxa_V1_ListAssignmentsResponse.self, timeout: .seconds(120))
                    return CallOutcome(ok: response.assignments.isEmpty ? 0 : 1, sent: 1)
                }
            case .ingest(let template):
                try await body {
                    let request = template.fresh()
                    let response = try await connection.call(.submitVisits, request, as: Giupxa_V1_SubmitVisitsResponse.self, timeout: .seconds(120))
                    return CallOutcome(ok: response.results.count(where: { $0.outcome == .stored }), sent: request.visits.count)
                }
            }
        } catch {
            await connection.close()
            throw error
        }
        await connection.close()
    }

    /// Adds `count` STNMT credentials to the running server's database (SQLite in WAL mode
    /// takes a second process's writes; the server looks credentials up at each HELLO).
    static func issueCredentials(database: String, count: Int) async throws -> [String] {
        let issuer = CredentialIssuer(store: try SQLiteStore(path: database))
        var secrets: [String] = []
        for _ in 0..<count {
            secrets.append(try await issuer.issue(for: .agency(code: Workload.agency), replacing: false).text)
        }
        return secrets
    }
}

/// Which call a capacity client repeats.
enum CapacityCall: Sendable {
    /// ListAssignments for the caller's agency.
    case small
    /// SubmitVisits with fresh visits.
    case ingest(IngestTemplate)
}

/// A SubmitVisitsRequest of real visits (STNMT's, in its assigned communes and dates) whose ids
/// are replaced by fresh random UUIDs for every call, so every visit is new to the server.
struct IngestTemplate: Sendable {
    let request: Giupxa_V1_SubmitVisitsRequest

    init(workload: Workload, visits: Int) {
        request = Workload.request(workload.visits(count: visits, key: "capacity"))
    }

    func fresh() -> Giupxa_V1_SubmitVisitsRequest {
        var copy = request
        for index in copy.visits.indices {
            // As Giupxa_V1_Visit(visit) writes an id: the UUID's 16 bytes.
            copy.visits[index].id = withUnsafeBytes(of: UUID().uuid) { Data($0) }
        }
        return copy
    }
}
#endif
