import Foundation
import GiupXaClient
import GiupXaMessages
import GiupXaModels
import GiupXaProtocol

/// The real GiupXa client against the real `giupxa-server`.
///
/// - `.engine`: `SyncEngine` over an outbox in a fresh client home, as `giupxa sync` runs it
///   (batches of 50, up to 4 calls in flight, one connection).
/// - `.oneCall`: one SubmitVisits call carrying every visit, on one connection: the same shape
///   as "gRPC batch" and the HTTP POST, for the 200-visit comparison. It keeps no outbox, so it
///   never offers an agency dictionary.
///
/// Each client has a credential of its own, as each device does: its agency dictionary
/// (PROTOCOL.md §9.5) is the visits stored through its credential, whatever other clients send.
struct GiupXaContender: Contender {
    enum Mode: Sendable { case engine, oneCall }

    let mode: Mode
    let server: GiupXaServerProcess
    var serverPort: Int { server.port }

    var name: String { mode == .engine ? "GiupXa" : "GiupXa 1 call" }
    var isBatched: Bool { true }
    var onlyFor: Set<Int>? { mode == .engine ? nil : [200] }

    func upstreamPort(_ security: Security) -> Int { serverPort }

    func makeClient(_ security: Security, directory: URL) throws -> any ContenderClient {
        // A fresh client home: outbox and handshake counter, kept from the cold sync to the repeat.
        let home = ClientHome(directory: directory)
        return Client(
            mode: mode, secret: try server.issueCredential(), plaintext: security == .plain, outbox: try home.openOutbox(),
            serverPort: server.port)
    }

    struct Client: ContenderClient {
        let mode: Mode
        let secret: String
        let plaintext: Bool
        let outbox: Outbox
        let serverPort: Int

        func prime(visits: [Visit]) async throws {
            let result = try await sync(port: serverPort, visits: visits)
            guard result.stored == visits.count else { throw BenchError("history: \(result.stored) of \(visits.count) visits stored") }
        }

        func sync(port: Int, visits: [Visit]) async throws -> SyncResult {
            let client = try AgencyClient(
                host: "127.0.0.1", port: port, agencyCode: Workload.agency, secret: secret, language: .vi,
                counters: outbox, plaintext: plaintext)
            switch mode {
            case .engine: return try await engineSync(client, visits)
            case .oneCall: return try await oneCall(client, visits)
            }
        }

        private func engineSync(_ client: AgencyClient, _ visits: [Visit]) async throws -> SyncResult {
            for visit in visits { try outbox.add(visit) }
            let total = visits.count
            let engine = SyncEngine(client: client, outbox: outbox)
            let answeredAt = Locked<ContinuousClock.Instant?>(nil)
            let started = ContinuousClock.now
            let summary = try await engine.run { progress in
                // The last answer recorded: the sync's useful work is done (closing follows).
                if progress.acknowledged == total { answeredAt.withLock { $0 = $0 ?? .now } }
            }
            let finished = answeredAt.value ?? .now
            if let error = summary.error { throw BenchError("GiupXa sync failed: \(error)") }
            guard summary.pending == 0 else { throw BenchError("GiupXa sync left \(summary.pending) visits pending") }
            return SyncResult(
                seconds: (finished - started).seconds, stored: summary.sent,
                calls: Workload.engineBatches(visits).count, socketUp: summary.bytesSent, socketDown: summary.bytesReceived)
        }

        private func oneCall(_ client: AgencyClient, _ visits: [Visit]) async throws -> SyncResult {
            let request = Workload.request(visits)
            let started = ContinuousClock.now
            let connection = try await client.connect()
            let response: Giupxa_V1_SubmitVisitsResponse
            do {
                response = try await connection.call(.submitVisits, request, as: Giupxa_V1_SubmitVisitsResponse.self, timeout: .seconds(120))
            } catch {
                await connection.close()
                throw error
            }
            let elapsed = ContinuousClock.now - started
            await connection.close()
            return SyncResult(
                seconds: elapsed.seconds, stored: response.results.count(where: { $0.outcome == .stored }), calls: 1,
                socketUp: connection.bytes.sent, socketDown: connection.bytes.received)
        }
    }
}
