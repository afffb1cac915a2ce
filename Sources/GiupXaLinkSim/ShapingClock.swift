public import NIOCore

/// SplitMix64: tiny, seedable and identical on every platform, so a seed replays the same
/// jitter and cut offsets anywhere (SystemRandomNumberGenerator cannot be seeded).
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE5_E4B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A generator for one stream (connection, direction) derived from a base seed, so
    /// connections draw the same numbers however their events interleave.
    public static func stream(_ seed: UInt64, _ index: UInt64) -> SeededGenerator {
        var mixer = SeededGenerator(seed: seed ^ (index &* 0xD6E8_FEB8_6659_FD93))
        return SeededGenerator(seed: mixer.next())
    }
}

/// Timing for one direction of one connection: pure arithmetic on deadlines, no I/O, so it
/// can be tested without sockets.
///
/// A chunk waits for the link to be free, occupies it for `bytes*8/kbps` ms, then arrives
/// after the one-way delay ± jitter. Arrival times never go backwards (no reordering),
/// and an arrival falling inside a stall window is held until the window ends.
public struct ShapingClock: Sendable {
    let kbps: Int?
    let delay: TimeAmount
    let jitterMs: Int
    let stallEvery: TimeAmount?
    let stallFor: TimeAmount
    let origin: NIODeadline
    var generator: SeededGenerator
    var linkFreeAt: NIODeadline
    var lastArrival: NIODeadline

    /// `idleUntil` keeps the link from carrying anything before that time: the client side
    /// starts one round trip late, because a real TCP handshake would cost it that before its
    /// first byte, while the proxy's own accept on loopback costs nothing.
    public init(kbps: Int?, profile: LinkProfile, origin: NIODeadline, generator: SeededGenerator, idleUntil: NIODeadline? = nil) {
        self.kbps = kbps
        self.delay = .milliseconds(Int64(profile.delayMs))
        self.jitterMs = profile.jitterMs
        self.stallEvery = profile.stallEveryMs.map { .milliseconds(Int64($0)) }
        self.stallFor = .milliseconds(Int64(profile.stallMs))
        self.origin = origin
        self.generator = generator
        self.linkFreeAt = max(origin, idleUntil ?? origin)
        self.lastArrival = origin
    }

    /// True when chunks pass straight through (lets the relay skip timers entirely).
    public var isTransparent: Bool {
        kbps == nil && delay == .zero && jitterMs == 0 && stallEvery == nil && linkFreeAt <= origin
    }

    /// When a chunk of `bytes` read at `now` should be delivered to the other side.
    public mutating func arrival(bytes: Int, readAt now: NIODeadline) -> NIODeadline {
        let start = max(now, linkFreeAt)
        var finish = start
        if let kbps {
            // bytes*8 bits at kbps*1000 bit/s, in nanoseconds.
            finish = start + .nanoseconds(Int64(bytes) * 8_000_000 / Int64(kbps))
        }
        linkFreeAt = finish
        var arrival = finish + delay
        if jitterMs > 0 {
            let micros = Int64.random(in: -Int64(jitterMs) * 1000...Int64(jitterMs) * 1000, using: &generator)
            arrival = arrival + .microseconds(micros)
        }
        arrival = max(arrival, lastArrival, now)
        arrival = afterStall(arrival)
        lastArrival = arrival
        return arrival
    }

    /// Stall windows are [k*every, k*every + stall) after `origin`, for k ≥ 1.
    func afterStall(_ time: NIODeadline) -> NIODeadline {
        guard let stallEvery, stallFor > .zero else { return time }
        let offset = (time - origin).nanoseconds
        let period = stallEvery.nanoseconds
        let k = offset / period
        guard k >= 1, offset - k * period < stallFor.nanoseconds else { return time }
        return origin + .nanoseconds(k * period) + stallFor
    }
}

/// Where the k-th connection (0-based) is cut, in bytes crossed; nil means never.
public func cutOffset(connection index: Int, profile: LinkProfile) -> Int? {
    var offsets: [Int] = []
    if let fixed = profile.cutAfterBytes { offsets.append(fixed) }
    if let count = profile.cutRandom, index < count {
        var generator = SeededGenerator.stream(profile.cutSeed, UInt64(index))
        // Uniform in 1...2m-1 has mean m: simple, bounded, and never zero.
        offsets.append(Int.random(in: 1...max(1, 2 * profile.cutMeanBytes - 1), using: &generator))
    }
    return offsets.min()
}
