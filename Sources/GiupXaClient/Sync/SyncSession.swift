import GiupXaModels
import GiupXaProtocol
import SwiftProtobuf

/// One sync's connection and counters, shared by the deliveries of new visits and of
/// corrections: a connection that survives the first is reused by the second.
final class SyncSession {
    let client: AgencyClient
    let policy: SyncPolicy
    let total: Int
    let progress: @Sendable (SyncProgress) -> Void
    private(set) var summary = SyncSummary()

    private let clock = ContinuousClock()
    private let started: ContinuousClock.Instant
    private var connection: GiupXaConnection?
    private var bytesOfClosed = (sent: 0, received: 0)
    private var acknowledged = 0
    private var random = SystemRandomNumberGenerator()

    init(client: AgencyClient, policy: SyncPolicy, total: Int, progress: @escaping @Sendable (SyncProgress) -> Void) {
        self.client = client
        self.policy = policy
        self.total = total
        self.progress = progress
        self.started = clock.now
    }

    /// Sends `items` in adaptive batches until all are answered. Returns false when it gave up
    /// (too many failures in a row, or an error retrying cannot fix), with `summary.error` set.
    func deliver<Item, Request: SwiftProtobuf.Message, Response: SwiftProtobuf.Message>(
        _ items: [Item], method: Method,
        request makeRequest: ([Item]) -> Request,
        record: ([Item], Response, inout SyncSummary) throws -> Void
    ) async throws -> Bool {
        var batchSize = max(1, min(policy.initialBatchSize, policy.maxBatchSize))
        var failures = 0
        var next = 0
        while next < items.count {
            let batch = Array(items[next..<min(next + batchSize, items.count)])
            do {
                if connection == nil {
                    connection = try await client.connect()
                    summary.connections += 1
                }
                let response = try await connection!.call(method, makeRequest(batch), as: Response.self, timeout: policy.callTimeout)
                try record(batch, response, &summary)
                next += batch.count
                acknowledged += batch.count
                failures = 0
                batchSize = min(batchSize * 2, policy.maxBatchSize)
                report()
            } catch let error as RPCError where error.code.isRetryable {
                await dropConnection()
                failures += 1
                guard failures <= policy.maxFailuresWithoutProgress else {
                    summary.error = "\(error.code): \(error.message)"
                    return false
                }
                summary.retries += 1
                // A batch that keeps getting cut is probably too large for this link.
                batchSize = max(1, batchSize / 2)
                report("\(error.code): \(error.message)")
                try await Task.sleep(for: policy.backoff(afterFailures: failures, random: &random))
            } catch let error as RPCError {
                summary.error = "\(error.code): \(error.message)"
                return false
            }
        }
        return true
    }

    func finish() async -> SyncSummary {
        let (sent, received) = bytes
        await dropConnection()
        summary.pending = total - acknowledged
        summary.bytesSent = sent
        summary.bytesReceived = received
        summary.seconds = (clock.now - started).seconds
        return summary
    }

    private var bytes: (sent: Int, received: Int) {
        (bytesOfClosed.sent + (connection?.bytes.sent ?? 0), bytesOfClosed.received + (connection?.bytes.received ?? 0))
    }

    private func report(_ error: String? = nil) {
        let (sent, received) = bytes
        progress(SyncProgress(
            acknowledged: acknowledged, total: total, bytesSent: sent, bytesReceived: received,
            elapsed: clock.now - started, retries: summary.retries, lastError: error))
    }

    private func dropConnection() async {
        guard let old = connection else { return }
        bytesOfClosed.sent += old.bytes.sent
        bytesOfClosed.received += old.bytes.received
        connection = nil
        await old.close()
    }
}
