import Foundation
import GiupXaMessages
import GiupXaModels
import GiupXaProtocol
import SwiftProtobuf

/// One sync's connection and counters, shared by the deliveries of new visits and of
/// corrections: a connection that survives the first is reused by the second.
final class SyncSession {
    private(set) var client: AgencyClient
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
    /// Starts at the policy's; lowered to the server's limit if it announces a smaller one.
    private var maxBatchSize: Int
    /// Whether the connection's answer to its agency dictionary offer has been recorded.
    private var agencyDictionaryNoted = false

    init(client: AgencyClient, policy: SyncPolicy, total: Int, progress: @escaping @Sendable (SyncProgress) -> Void) {
        self.client = client
        self.policy = policy
        self.total = total
        self.progress = progress
        self.started = clock.now
        self.maxBatchSize = policy.maxBatchSize
    }

    /// Sends `items` in adaptive batches until all are answered, keeping up to
    /// `policy.callsInFlight` calls on the wire so the link never idles waiting for an answer
    /// (on a 1 s round trip that wait would dominate). Returns false when it gave up (too many
    /// failures in a row, or an error retrying cannot fix), with `summary.error` set.
    func deliver<Item, Request: SwiftProtobuf.Message, Response: SwiftProtobuf.Message>(
        _ items: [Item], method: Method,
        request makeRequest: ([Item]) -> Request,
        record: ([Item], Response, inout SyncSummary) throws -> Void
    ) async throws -> Bool {
        var batchSize = max(1, min(policy.initialBatchSize, maxBatchSize))
        var failures = 0
        var remaining = items[...]
        while !remaining.isEmpty {
            // The next window: consecutive batches, all sent before any answer is awaited.
            var window: [ArraySlice<Item>] = []
            var cursor = remaining.startIndex
            while cursor < remaining.endIndex && window.count < max(1, policy.callsInFlight) {
                let end = min(cursor + batchSize, remaining.endIndex)
                window.append(remaining[cursor..<end])
                cursor = end
            }
            var answered = Set<Int>()
            /// What must go again after a failed window: its unanswered batches, then the rest.
            func requeue() -> ArraySlice<Item> {
                (window.indices.filter { !answered.contains($0) }.flatMap { window[$0] } + remaining[cursor...])[...]
            }
            do {
                if connection == nil {
                    connection = try await client.connect()
                    summary.connections += 1
                    agencyDictionaryNoted = false
                }
                let live = connection!
                let timeout = policy.callTimeout
                // One flush for the whole window: on a new secured connection every call of it
                // rides in the handshake's first message.
                let calls = live.startCalls(method, window.map { makeRequest(Array($0)) }, as: Response.self, timeout: timeout)
                try await withThrowingTaskGroup(of: (Int, Response).self) { group in
                    for (index, call) in calls.enumerated() {
                        group.addTask { (index, try await call.response()) }
                    }
                    // Record each answer as it comes: an acknowledged batch stays acknowledged
                    // even if a later one in the window is cut.
                    do {
                        for try await (index, response) in group {
                            try record(Array(window[index]), response, &summary)
                            answered.insert(index)
                            acknowledged += window[index].count
                            report()
                        }
                    } catch {
                        // Fail the window's other calls now rather than at their deadlines.
                        await live.close()
                        throw error
                    }
                }
                remaining = remaining[cursor...]
                failures = 0
                batchSize = min(batchSize * 2, maxBatchSize)
                await noteAgencyDictionary(of: live)
            } catch let error as RPCError where error.code.isRetryable {
                // Keep what was acknowledged; everything else of the window goes again.
                remaining = requeue()
                await dropConnection()
                failures = answered.isEmpty ? failures + 1 : 0
                guard failures <= policy.maxFailuresWithoutProgress else {
                    summary.error = "\(error.code): \(error.message)"
                    return false
                }
                summary.retries += 1
                // A batch that keeps getting cut is probably too large for this link.
                batchSize = max(1, batchSize / 2)
                report("\(error.code): \(error.message)")
                var pause = policy.backoff(afterFailures: max(failures, 1), random: &random)
                // The server's per-agency rate limit refills in seconds: retrying sooner only
                // spends the next tokens on refusals.
                if error.code == .resourceExhausted { pause = max(pause, policy.rateLimitPause) }
                try await Task.sleep(for: pause)
            } catch let error as RPCError {
                // Our pipelined calls used an agency dictionary the server does not share
                // (§9.5): it read none of them. Again on a new connection, which offers none.
                if error.code == .unimplemented, await agencyDictionaryRefused() {
                    remaining = requeue()
                    await dropConnection()
                    continue
                }
                // A server configured for smaller batches than ours says so in its HELLO:
                // adopt its limit and resend, rather than stopping the sync.
                if let limit = await serverBatchLimit(after: error), limit < batchSize {
                    maxBatchSize = limit
                    batchSize = limit
                    remaining = requeue()
                    await dropConnection()
                    continue
                }
                summary.error = "\(error.code): \(error.message)"
                return false
            }
        }
        return true
    }

    /// Whether the server refused the agency dictionary the connection offered; if so, the
    /// refusal is remembered, and the rest of this sync offers none.
    private func agencyDictionaryRefused() async -> Bool {
        guard let live = connection, let part = live.agencyDictionary, await live.agencyDictionaryAccepted() == false else { return false }
        try? client.history?.recordAgencyDictionary(digest: part.digest, accepted: false, now: Date())
        client.history = nil
        return true
    }

    /// After a connection's first answers: a part the server took clears any refusal remembered before.
    private func noteAgencyDictionary(of live: GiupXaConnection) async {
        guard !agencyDictionaryNoted else { return }
        agencyDictionaryNoted = true
        guard let part = live.agencyDictionary, await live.agencyDictionaryAccepted() == true else { return }
        try? client.history?.recordAgencyDictionary(digest: part.digest, accepted: true, now: Date())
    }

    /// The server's batch limit when `error` is its "too many items" refusal of a batch.
    private func serverBatchLimit(after error: RPCError) async -> Int? {
        guard error.code == .invalidArgument,
              error.fieldErrors.contains(where: { $0.reason == FieldIssue.Reason.tooMany.rawValue && ($0.field == "visits" || $0.field == "amendments") }),
              let hello = try? await connection?.serverHello(), hello.limits.maxVisitsPerBatch > 0
        else { return nil }
        return Int(hello.limits.maxVisitsPerBatch)
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
