public import Foundation
import GiupXaModels
import GiupXaProtocol

/// What a sync did, for the summary line and `--format json`.
public struct SyncSummary: Sendable, Hashable, Codable {
    /// Newly stored by the server.
    public var sent = 0
    /// The server already had them (an earlier sync whose answer was lost).
    public var alreadyOnServer = 0
    public var conflicts: [Refusal] = []
    public var rejected: [Refusal] = []
    /// Still waiting to be sent.
    public var pending = 0
    public var bytesSent = 0
    public var bytesReceived = 0
    public var seconds = 0.0
    /// Why the sync stopped early, if it did.
    public var error: String?

    public struct Refusal: Sendable, Hashable, Codable {
        public var id: UUID
        public var message: String
    }
}

/// Progress after each acknowledged batch.
public struct SyncProgress: Sendable {
    public var acknowledged: Int
    public var total: Int
    public var bytesSent: Int
    public var bytesReceived: Int
    public var elapsed: Duration
}

/// Sends pending visits in batches and records each visit's answer before sending the next
/// batch. A visit becomes `sent` only on the server's acknowledgement; if the link drops, what
/// was not acknowledged stays pending and the next sync sends it again (the server recognises
/// a resent identical visit and stores no second copy).
public struct SyncEngine: Sendable {
    public var client: AgencyClient
    public var outbox: Outbox
    public var batchSize: Int

    public init(client: AgencyClient, outbox: Outbox, batchSize: Int = 50) {
        self.client = client
        self.outbox = outbox
        self.batchSize = batchSize
    }

    public func run(progress: @Sendable (SyncProgress) -> Void = { _ in }) async throws -> SyncSummary {
        let clock = ContinuousClock()
        let started = clock.now
        let pending = try outbox.entries(state: .pending).map(\.visit)
        var summary = SyncSummary()
        guard !pending.isEmpty else { return summary }

        let connection = try await client.connect()
        defer { Task { await connection.close() } }
        var acknowledged = 0
        do {
            for start in stride(from: 0, to: pending.count, by: batchSize) {
                let batch = Array(pending[start..<min(start + batchSize, pending.count)])
                var request = Giupxa_V1_SubmitVisitsRequest()
                request.visits = batch.map(Giupxa_V1_Visit.init)
                let response = try await connection.call(
                    .submitVisits, request, as: Giupxa_V1_SubmitVisitsResponse.self, timeout: client.callTimeout)
                try outbox.record(acknowledgements(for: batch, response: response, summary: &summary))
                acknowledged += batch.count
                progress(SyncProgress(
                    acknowledged: acknowledged, total: pending.count, bytesSent: connection.bytes.sent,
                    bytesReceived: connection.bytes.received, elapsed: clock.now - started))
            }
        } catch let error as RPCError {
            summary.error = "\(error.code): \(error.message)"
        }
        summary.pending = pending.count - acknowledged
        summary.bytesSent = connection.bytes.sent
        summary.bytesReceived = connection.bytes.received
        let elapsed = clock.now - started
        summary.seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        return summary
    }

    private func acknowledgements(
        for batch: [Visit], response: Giupxa_V1_SubmitVisitsResponse, summary: inout SyncSummary
    ) throws -> [Outbox.Acknowledgement] {
        guard response.results.count == batch.count else {
            throw RPCError(code: .internal, message: "server answered \(response.results.count) results for \(batch.count) visits")
        }
        return try zip(batch, response.results).map { visit, result in
            guard result.visitID == visit.id.wireBytes else {
                throw RPCError(code: .internal, message: "server answered for a different visit")
            }
            let revision = result.revision == 0 ? nil : Int(result.revision)
            switch result.outcome {
            case .stored:
                summary.sent += 1
                return .init(id: visit.id, state: .sent, revision: revision, message: nil)
            case .alreadyStored:
                summary.alreadyOnServer += 1
                return .init(id: visit.id, state: .sent, revision: revision, message: nil)
            case .conflict:
                summary.conflicts.append(.init(id: visit.id, message: result.status.message))
                return .init(id: visit.id, state: .conflict, revision: revision, message: result.status.message)
            case .rejected:
                summary.rejected.append(.init(id: visit.id, message: result.status.message))
                return .init(id: visit.id, state: .rejected, revision: nil, message: result.status.message)
            case .unspecified, .UNRECOGNIZED:
                throw RPCError(code: .internal, message: "server answered an unknown outcome \(result.outcome.rawValue)")
            }
        }
    }
}
