/// The shape of a simulated link. "Up" is client→upstream, "down" is upstream→client.
/// Every field is plain data so a profile can be printed in the summary and overridden
/// field by field from the command line.
public struct LinkProfile: Sendable, Codable, Equatable {
    public var name: String
    /// Bandwidth in kbit/s (1000 bit/s); nil means unlimited.
    public var upKbps: Int?
    public var downKbps: Int?
    /// One-way delay, applied to each direction.
    public var delayMs: Int
    /// Uniform ±jitter added to the delay; never reorders bytes.
    public var jitterMs: Int
    /// Every `stallEveryMs` (from connection start) delivery pauses for `stallMs`; nil means no stalls.
    public var stallEveryMs: Int?
    public var stallMs: Int
    /// Close both sides once this many bytes (both directions together) have crossed a connection.
    public var cutAfterBytes: Int?
    /// Cut the first N connections at seeded random offsets; nil means no random cuts.
    public var cutRandom: Int?
    public var cutSeed: UInt64
    /// Average offset of a random cut (offsets are uniform in 1...2*mean-1).
    public var cutMeanBytes: Int

    public init(
        name: String, upKbps: Int? = nil, downKbps: Int? = nil, delayMs: Int = 0, jitterMs: Int = 0,
        stallEveryMs: Int? = nil, stallMs: Int = 0, cutAfterBytes: Int? = nil, cutRandom: Int? = nil,
        cutSeed: UInt64 = 0, cutMeanBytes: Int = 4096
    ) {
        self.name = name
        self.upKbps = upKbps
        self.downKbps = downKbps
        self.delayMs = delayMs
        self.jitterMs = jitterMs
        self.stallEveryMs = stallEveryMs
        self.stallMs = stallMs
        self.cutAfterBytes = cutAfterBytes
        self.cutRandom = cutRandom
        self.cutSeed = cutSeed
        self.cutMeanBytes = cutMeanBytes
    }

    /// Plain relay, no shaping.
    public static let none = LinkProfile(name: "none")
    /// GPRS: 20 kbit/s both ways, 600 ms RTT.
    public static let gprs = LinkProfile(name: "gprs", upKbps: 20, downKbps: 20, delayMs: 300)
    /// EDGE: 40 kbit/s up, 80 down, 300 ms RTT.
    public static let edge = LinkProfile(name: "edge", upKbps: 40, downKbps: 80, delayMs: 150)
    /// VSAT: 256 kbit/s both ways, 700 ms RTT (geostationary hop).
    public static let vsat = LinkProfile(name: "vsat", upKbps: 256, downKbps: 256, delayMs: 350)
    /// EDGE that drops every connection roughly every 4 KiB.
    public static let flaky: LinkProfile = {
        var profile = LinkProfile.edge
        profile.name = "flaky"
        profile.cutRandom = Int.max
        profile.cutMeanBytes = 4096
        return profile
    }()

    public static let presets: [LinkProfile] = [.none, .gprs, .edge, .vsat, .flaky]

    /// Looks a preset up by name (case-insensitive).
    public static func named(_ name: String) throws(LinkProfileError) -> LinkProfile {
        guard let profile = presets.first(where: { $0.name == name.lowercased() }) else {
            throw LinkProfileError.unknownProfile(name, known: presets.map(\.name))
        }
        return profile
    }

    /// Rejects settings the shaper cannot honour, with a message an operator can act on.
    public func validate() throws(LinkProfileError) {
        func check(_ ok: Bool, _ message: String) throws(LinkProfileError) {
            if !ok { throw LinkProfileError.invalid(message) }
        }
        try check((upKbps ?? 1) > 0 && (downKbps ?? 1) > 0, "bandwidth must be positive (omit it for unlimited)")
        try check(delayMs >= 0 && jitterMs >= 0 && stallMs >= 0, "delay, jitter and stall must not be negative")
        if let stallEveryMs {
            // A stall as long as its period would pause delivery for ever.
            try check(stallEveryMs > 0 && stallMs < stallEveryMs, "--stall-ms must be less than --stall-every-ms")
        }
        try check((cutAfterBytes ?? 1) > 0, "--cut-after-bytes must be positive")
        try check((cutRandom ?? 0) >= 0, "--cut-random must not be negative")
        try check(cutMeanBytes > 0, "--cut-mean-bytes must be positive")
    }
}

public enum LinkProfileError: Error, Equatable, CustomStringConvertible {
    case unknownProfile(String, known: [String])
    case invalid(String)

    public var description: String {
        switch self {
        case .unknownProfile(let name, let known):
            "unknown link profile '\(name)'; known profiles: \(known.joined(separator: ", "))"
        case .invalid(let message):
            "invalid link settings: \(message)"
        }
    }
}
