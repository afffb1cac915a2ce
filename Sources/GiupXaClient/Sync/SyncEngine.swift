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

    public init(client: AgencyClient, outbox: Outbox, policy: SyncPolicy = SyncPolicy()) {
        self.client = client
        self.outbox = outbox
        self.policy = policy
    }

    public func run(progress: @Sendable (SyncProgress) -> Void = { _ in }) async throws -> SyncSummary {
        let clock = ContinuousClock()
        let started = clock.now
        let pending = try outbox.entries(state: .pending).map(\.visit)
        var summary = SyncSummary()
        guard !pending.isEmpty else { return summary }

        var random = SystemRandomNumberGenerator()
        var connection: GiupXaConnection? = nil
        var bytesOfClosed = (sent: 0, received: 0)
        var batchSize = max(1, min(policy.initialBatchSize, policy.maxBatchSize))
        var failures = 0
        var next = 0
        func bytes() -> (sent: Int, received: Int) {
            (bytesOfClosed.sent + (connection?.bytes.sent ?? 0), bytesOfClosed.received + (connection?.bytes.received ?? 0))
        }
        func report(_ error: String? = nil) {
            let (sent, received) = bytes()
            progress(SyncProgress(
                acknowledged: next, total: pending.count, bytesSent: sent, bytesReceived: received,
                elapsed: clock.now - started, retries: summary.retries, lastError: error))
        }
        func drop() async {
            guard let old = connection else { return }
            bytesOfClosed.sent += old.bytes.sent
            bytesOfClosed.received += old.bytes.received
            connection = nil
            await old.close()
        }

        while next < pending.count {
            let batch = Array(pending[next..<min(next + batchSize, pending.count)])
            do {
                if connection == nil {
                    connection = try await client.connect()
                    summary.connections += 1
                }
                var request = Giupxa_V1_SubmitVisitsRequest()
                request.visits = batch.map(Giupxa_V1_Visit.init)
                let response = try await connection!.call(
                    .submitVisits, request, as: Giupxa_V1_SubmitVisitsResponse.self, timeout: policy.callTimeout)
                try outbox.record(acknowledgements(for: batch, response: response, summary: &summary))
                next += batch.count
                failures = 0
                batchSize = min(batchSize * 2, policy.maxBatchSize)
                report()
            } catch let error as RPCError where error.code.isRetryable {
                await drop()
                failures += 1
                guard failures <= policy.maxFailuresWithoutProgress else {
                    summary.error = "\(error.code): \(error.message)"
                    break
                }
                summary.retries += 1
                // A batch that keeps getting cut is probably too large for this link.
                batchSize = max(1, batchSize / 2)
                report("\(error.code): \(error.message)")
                try await Task.sleep(for: policy.backoff(afterFailures: failures, random: &random))
            } catch let error as RPCError {
                summary.error = "\(error.code): \(error.message)"
                break
            }
        }
        let (sent, received) = bytes()
        await drop()
        summary.pending = pending.count - next
        summary.bytesSent = sent
        summary.bytesReceived = received
        summary.seconds = (clock.now - started).seconds
        return summary
    }

    private func acknowledgements(
        for batch: [Visit], response: Giupxa_V1_SubmitVisitsResponse, summary: inout SyncSummary
    ) throws(RPCError) -> [Outbox.Acknowledgement] {
        guard response.results.count == batch.count else {
            throw RPCError(code: .internal, message: "server answered \(response.results.count) results for \(batch.count) visits")
        }
        var acknowledgements: [Outbox.Acknowledgement] = []
        for (visit, result) in zip(batch, response.results) {
            guard result.visitID == visit.id.wireBytes else {
                throw RPCError(code: .internal, message: "server answered for a different visit")
            }
            let revision = result.revision == 0 ? nil : Int(result.revision)
            switch result.outcome {
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
