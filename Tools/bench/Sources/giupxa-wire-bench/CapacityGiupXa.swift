// Built only with the Peers trait (the default): part (c) measures GiupXa against gRPC.
#if Peers
import Foundation
import GiupXaClient
import GiupXaMessages
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
                // One call as the CLI makes it settles the HELLO (and so the request stream); then
                // the calls to come are compressed now, before the clock starts, so that the
                // load generator does not spend the cores the server is measured on compressing
                // (zlib took half a core of the two at 11,000 visits/s). The server receives the
                // same bytes either way.
                _ = try await connection.call(.submitVisits, template.fresh(), as: Giupxa_V1_SubmitVisitsResponse.self, timeout: .seconds(120))
                let visits = template.request.visits.count
                var calls: [PreparedCall] = []
                while calls.count < template.prepared {
                    let chunk = (0..<min(16, template.prepared - calls.count)).map { _ in template.fresh() }
                    calls += try await connection.prepare(.submitVisits, chunk, timeout: .seconds(120))
                }
                let prepared = calls
                let next = Locked(0)
                try await body {
                    let index = next.takeNext()
                    let response: Giupxa_V1_SubmitVisitsResponse
                    if index < prepared.count {
                        response = try await connection.start(prepared[index], as: Giupxa_V1_SubmitVisitsResponse.self).response()
                    } else {
                        // Ran out: go on compressing as the calls go (after every prepared one
                        // has been sent, so the stream stays in order), and say so.
                        template.ranOut.withLock { $0 += 1 }
                        response = try await connection.call(.submitVisits, template.fresh(), as: Giupxa_V1_SubmitVisitsResponse.self, timeout: .seconds(120))
                    }
                    return CallOutcome(ok: response.results.count(where: { $0.outcome == .stored }), sent: visits)
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
/// are replaced by fresh ones for every call (version 7, as the CLI makes them), so every visit is new to the server.
struct IngestTemplate: Sendable {
    let request: Giupxa_V1_SubmitVisitsRequest
    /// Calls each client makes ready before the clock starts (GiupXa: compressed; gRPC: built).
    let prepared: Int
    /// Calls made after a client's prepared ones ran out, over the whole run.
    let ranOut = Locked(0)

    init(workload: Workload, visits: Int, prepared: Int) {
        request = Workload.request(workload.visits(count: visits, key: "capacity"))
        self.prepared = prepared
    }

    func fresh() -> Giupxa_V1_SubmitVisitsRequest {
        var copy = request
        for index in copy.visits.indices {
            // A new id as the CLI makes one (UUID version 7), as Giupxa_V1_Visit(visit) writes it.
            copy.visits[index].id = UUID.version7().wireBytes
        }
        return copy
    }
}
#endif
