// Built only with the Peers trait (the default): part (c) measures GiupXa against gRPC.
#if Peers
import Foundation

/// Part (c), server capacity: the load generator. Every contender's client is driven the same
/// way, from this process: N clients, each on its own connection, one call at a time, back to
/// back, for a warm-up and then a measured window.

/// What one call achieved: `ok` items answered as wanted (1 for a small call with its answer,
/// the visits answered STORED for a SubmitVisits) out of `sent`.
struct CallOutcome: Sendable {
    var ok: Int
    var sent: Int
}

/// One kind of client of one server.
protocol CapacityClient: Sendable {
    /// Opens client `index`'s connection, runs `body` with a function that makes one call on
    /// it, and closes it. The connection is not open until it has answered one call (gRPC
    /// connects lazily, GiupXa completes its HELLO with the first answer): `body` makes that
    /// first call before the clock starts.
    func withConnection(index: Int, _ body: @Sendable (_ call: @Sendable () async throws -> CallOutcome) async throws -> Void) async throws
}

/// One load level's numbers.
struct LoadResult: Codable, Sendable {
    var clients: Int
    var seconds: Double
    /// Calls that both started and finished inside the measured window.
    var calls: Int
    var callsPerSecond: Double
    /// Items answered as wanted (calls, or visits STORED) in those calls, per second.
    var itemsOK: Int
    var itemsSent: Int
    var itemsPerSecond: Double
    var p50Ms: Double
    var p99Ms: Double
    var maxMs: Double
    /// Clients stopped by an error (their other calls still count), and the first error.
    var failedClients: Int
    var firstError: String?
}

enum Load {
    /// Every client connects (and makes one call); when all have, the warm-up starts for all at
    /// once, then the measured window. A call counts if it started and finished inside the window.
    static func run(_ client: any CapacityClient, clients: Int, warmup: Duration, duration: Duration) async throws -> LoadResult {
        let gate = StartGate(expected: clients)
        let perClient = try await withThrowingTaskGroup(of: ClientTally.self) { group in
            for index in 0..<clients {
                group.addTask {
                    let tally = Locked(ClientTally())
                    do {
                        try await client.withConnection(index: index) { call in
                            _ = try await call()
                            guard let start = await gate.arrive() else { return }
                            let from = start + warmup
                            let end = from + duration
                            var local = ClientTally()
                            local.samples.reserveCapacity(4096)
                            do {
                                while true {
                                    let began = ContinuousClock.now
                                    if began >= end { break }
                                    let outcome = try await call()
                                    let finished = ContinuousClock.now
                                    if began >= from && finished <= end {
                                        local.samples.append(finished - began)
                                        local.ok += outcome.ok
                                        local.sent += outcome.sent
                                    }
                                }
                            } catch {
                                local.error = "\(error)"
                            }
                            tally.withLock { [local] in $0 = local }
                        }
                    } catch {
                        // Could not connect: let the others go (and stop waiting for this one).
                        await gate.abandon()
                        tally.withLock { $0.error = "\(error)" }
                    }
                    return tally.value
                }
            }
            return try await group.reduce(into: [ClientTally]()) { $0.append($1) }
        }
        let sorted = perClient.flatMap(\.samples).sorted()
        let window = duration.seconds
        let ok = perClient.reduce(0) { $0 + $1.ok }
        let sent = perClient.reduce(0) { $0 + $1.sent }
        let failed = perClient.filter { $0.error != nil }
        return LoadResult(
            clients: clients, seconds: window, calls: sorted.count, callsPerSecond: Double(sorted.count) / window,
            itemsOK: ok, itemsSent: sent, itemsPerSecond: Double(ok) / window,
            p50Ms: percentile(sorted, 50), p99Ms: percentile(sorted, 99), maxMs: (sorted.last?.seconds ?? 0) * 1000,
            failedClients: failed.count, firstError: failed.first?.error)
    }

    /// Nearest-rank percentile of sorted samples, in milliseconds.
    static func percentile(_ sorted: [Duration], _ p: Double) -> Double {
        guard !sorted.isEmpty else { return 0 }
        let rank = Int((p / 100 * Double(sorted.count)).rounded(.up))
        return sorted[min(max(rank, 1), sorted.count) - 1].seconds * 1000
    }
}

private struct ClientTally: Sendable {
    var samples: [Duration] = []
    var ok = 0
    var sent = 0
    var error: String?
}

/// Releases every client at the same instant once all have connected (no polling). If one
/// cannot connect, the others are released at once and told to stop.
private actor StartGate {
    let expected: Int
    private var waiting: [CheckedContinuation<ContinuousClock.Instant?, Never>] = []
    private var arrived = 0
    private var abandoned = false

    init(expected: Int) { self.expected = expected }

    func arrive() async -> ContinuousClock.Instant? {
        if abandoned { return nil }
        return await withCheckedContinuation { continuation in
            waiting.append(continuation)
            arrived += 1
            if arrived == expected { release(ContinuousClock.now) }
        }
    }

    func abandon() {
        abandoned = true
        release(nil)
    }

    private func release(_ start: ContinuousClock.Instant?) {
        for continuation in waiting { continuation.resume(returning: start) }
        waiting = []
    }
}
#endif
