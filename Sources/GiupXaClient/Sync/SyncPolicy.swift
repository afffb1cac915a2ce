/// How a sync behaves on a bad link. Defaults suit 2G and satellite: round trips near a second,
/// connections that drop mid-transfer, and no signal for a while.
public struct SyncPolicy: Sendable, Hashable {
    /// Visits in the first call; later calls grow after a success and shrink after a cut, so a
    /// link that keeps cutting ends up sending small batches that get through.
    public var initialBatchSize = 50
    /// The server's default `max_visits_per_batch` (PROTOCOL.md, "Limits").
    public var maxBatchSize = 250
    /// Calls sent before the first answer is awaited: the link stays busy for the whole sync,
    /// which then costs about one round trip plus the bytes, however many batches it takes.
    public var callsInFlight = 4
    /// Deadline of each call; a call that takes longer is abandoned and retried.
    public var callTimeout: Duration = .seconds(120)
    /// Failed attempts in a row (no visit acknowledged in between) before giving up.
    public var maxFailuresWithoutProgress = 8
    /// Backoff before reconnecting: doubles per failure up to the cap, with full jitter so
    /// devices cut off together do not all come back in the same second.
    public var backoffBase: Duration = .milliseconds(500)
    public var backoffCap: Duration = .seconds(30)
    /// At least this long after the server refused a call for the agency's rate limit.
    public var rateLimitPause: Duration = .seconds(2)

    public init() {}

    /// The delay before attempt number `failures` (1-based), jittered into [d/2, d].
    func backoff(afterFailures failures: Int, random: inout some RandomNumberGenerator) -> Duration {
        let exponent = min(failures - 1, 16)
        let base = min(backoffBase * (1 << exponent), backoffCap)
        let nanos = base.nanoseconds
        return .nanoseconds(Int64.random(in: (nanos / 2)...max(nanos / 2, nanos), using: &random))
    }
}
