/// Limits one side enforces on what it receives. Defaults are documented in PROTOCOL.md
/// ("Limits") and announced to the client in ServerHello.
public struct ProtocolLimits: Sendable, Hashable {
    /// Largest frame body accepted, checked from the length prefix before buffering the body.
    public var maxFrameBytes: Int = 4 << 20
    /// Largest message after decompression; inflating stops at this size. As large as a frame:
    /// real visits compress about 2:1, so a message this size already takes a 2 MiB frame, and
    /// a larger one is only reached by text made to compress (PROTOCOL.md §11).
    public var maxMessageBytes: Int = 4 << 20
    /// Largest HELLO body (the peer is not yet authenticated).
    public var maxHelloBytes: Int = 16 << 10
    /// 250: the worst batch that fits the message limit (every list of every visit at its
    /// limit, 45,000 items) stays near 100 ms of server CPU (BENCHMARKS.md (e)); a device's
    /// batches of typical visits are far smaller in bytes than the frame limit.
    public var maxVisitsPerBatch: Int = 250
    public var maxConcurrentCalls: Int = 16

    public init() {}

    public static let `default` = ProtocolLimits()
}
