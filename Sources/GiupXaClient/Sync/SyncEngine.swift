public import Foundation
import GiupXaMessages
import GiupXaModels
import GiupXaProtocol

/// What a sync did, for the summary line and `--format json`.
public struct SyncSummary: Sendable, Hashable, Codable {
    /// Newly stored by the server.
    public var sent = 0
    /// Corrections stored as new revisions.
    public var amended = 0
    /// The server already had them (an earlier sync whose answer was lost).
    public var alreadyOnServer = 0
    public var conflicts: [Refusal] = []
    public var rejected: [Refusal] = []
    /// Still waiting to be sent.
    public var pending = 0
    /// Connections opened (1 on a good link).
    public var connections = 0
    /// Attempts that failed and were retried (cuts, timeouts, refused connections).
    public var retries = 0
    public var bytesSent = 0
    public var bytesReceived = 0
    public var seconds = 0.0
    /// Why the sync stopped before everything was acknowledged, if it did.
    public var error: String?

    public struct Refusal: Sendable, Hashable, Codable {
        public var id: UUID
        public var message: String
    }
}

/// Progress after each acknowledged batch, and after each failed attempt.
public struct SyncProgress: Sendable {
    public var acknowledged: Int
    public var total: Int
    public var bytesSent: Int
    public var bytesReceived: Int
    public var elapsed: Duration
    public var retries: Int
    /// Set while waiting to retry: why the last attempt failed.
    public var lastError: String?
}

/// Sends pending visits in batches and records each visit's answer before the next batch. A
/// visit becomes `sent` only on the server's acknowledgement. When the link drops, the engine
/// reconnects with backoff and resends only what was not acknowledged (the server recognises a
/// resent identical visit and stores no second copy), halving the batch after each failure so a
/// link that keeps cutting still makes progress, and gives up after too many failures in a row.
public struct SyncEngine: Sendable {
    public var client: AgencyClient
    public var outbox: Outbox
    public var policy: SyncPolicy

    /// The client offers the outbox's acknowledged visits as an agency dictionary (PROTOCOL.md
    /// §9.5) unless it already names a history.
    public init(client: AgencyClient, outbox: Outbox, policy: SyncPolicy = SyncPolicy()) {
        var client = client
        if client.history == nil { client.history = outbox }
        self.client = client
        self.outbox = outbox
        self.policy = policy
    }

    public func run(progress: @escaping @Sendable (SyncProgress) -> Void = { _ in }) async throws -> SyncSummary {
        let visits = try outbox.entries(state: .pending).map(\.visit)
        let amendments = try outbox.pendingAmendments()
        let session = SyncSession(client: client, policy: policy, total: visits.count + amendments.count, progress: progress)
        guard session.total > 0 else { return session.summary }

        // New visits first, then corrections (a correction needs its visit on the server).
        let delivered = try await session.deliver(visits, method: .submitVisits) { batch in
            var request = Giupxa_V1_SubmitVisitsRequest()
            request.visits = batch.map(Giupxa_V1_Visit.init)
            return request
        } record: { (batch, response: Giupxa_V1_SubmitVisitsResponse, summary: inout SyncSummary) in
            try outbox.record(acknowledgements(for: batch, results: response.results, summary: &summary))
        }
        if delivered {
            _ = try await session.deliver(amendments, method: .amendVisits) { batch in
                var request = Giupxa_V1_AmendVisitsRequest()
                request.amendments = batch.map { pending in
                    var amendment = Giupxa_V1_Amendment()
                    amendment.visit = Giupxa_V1_Visit(pending.visit)
                    amendment.baseRevision = UInt32(pending.baseRevision)
                    return amendment
                }
                return request
            } record: { (batch, response: Giupxa_V1_AmendVisitsResponse, summary: inout SyncSummary) in
                let acks = try acknowledgements(for: batch.map(\.visit), results: response.results, summary: &summary, amending: true)
                try outbox.recordAmendments(Array(zip(batch, acks)).map { (amendment: $0.0, ack: $0.1) })
            }
        }
        return await session.finish()
    }

    private func acknowledgements(
        for batch: [Visit], results: [Giupxa_V1_VisitResult], summary: inout SyncSummary, amending: Bool = false
    ) throws(RPCError) -> [Outbox.Acknowledgement] {
        guard results.count == batch.count else {
            throw RPCError(code: .internal, message: "server answered \(results.count) results for \(batch.count) items")
        }
        var acknowledgements: [Outbox.Acknowledgement] = []
        for (visit, result) in zip(batch, results) {
            // Results come in request order; a server that honours results_by_position sends no id.
            guard result.visitID.isEmpty || result.visitID == visit.id.wireBytes else {
                throw RPCError(code: .internal, message: "server answered for a different visit")
            }
            let revision = result.revision == 0 ? nil : Int(result.revision)
            switch result.outcome {
            case .stored where amending:
                summary.amended += 1
                acknowledgements.append(.init(id: visit.id, state: .sent, revision: revision, message: nil))
            case .stored:
                summary.sent += 1
                acknowledgements.append(.init(id: visit.id, state: .sent, revision: revision, message: nil))
            case .alreadyStored:
                summary.alreadyOnServer += 1
                acknowledgements.append(.init(id: visit.id, state: .sent, revision: revision, message: nil))
            case .conflict:
                summary.conflicts.append(.init(id: visit.id, message: result.status.message))
                acknowledgements.append(.init(id: visit.id, state: .conflict, revision: revision, message: result.status.message))
            case .rejected:
                summary.rejected.append(.init(id: visit.id, message: result.status.message))
                acknowledgements.append(.init(id: visit.id, state: .rejected, revision: nil, message: result.status.message))
            case .unspecified, .UNRECOGNIZED:
                throw RPCError(code: .internal, message: "server answered an unknown outcome \(result.outcome.rawValue)")
            }
        }
        return acknowledgements
    }
}
