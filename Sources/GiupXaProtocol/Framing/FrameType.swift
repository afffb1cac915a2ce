/// The frame types of protocol v1 (PROTOCOL.md, "Frames"). The high four bits of a frame's
/// first byte; values 8–15 are reserved and a connection error in v1.
public enum FrameType: UInt8, Sendable, Hashable, CaseIterable {
    case hello = 0x0
    case request = 0x1
    case response = 0x2
    case status = 0x3
    case cancel = 0x4
    case ping = 0x5
    case pong = 0x6
    case goAway = 0x7
}

/// The low four bits of a frame's first byte.
public struct FrameFlags: OptionSet, Sendable, Hashable {
    public var rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue & 0x0F }

    /// Bits 0–1: how the message part is compressed.
    public var compression: Compression {
        get { Compression(rawValue: rawValue & 0b11)! }
        set { rawValue = (rawValue & ~0b11) | newValue.rawValue }
    }

    /// Bit 2: a REQUEST carries CallMetadata before its message.
    public static let metadata = FrameFlags(rawValue: 0b0100)
    /// Bit 3: reserved, must be zero in v1.
    public static let reserved = FrameFlags(rawValue: 0b1000)

    public enum Compression: UInt8, Sendable, Hashable {
        case none = 0
        /// Raw deflate (RFC 1951), one complete stream per message, no dictionary.
        case deflateRaw = 1
        /// Raw deflate against the preset dictionary agreed in the HELLO (PROTOCOL.md §9.2).
        case deflateDictionary = 2
        /// REQUEST only: part of the connection's one compression stream, primed with the agreed
        /// dictionary; agreed in the HELLO with its codec, deflate (PROTOCOL.md §9.3) or LZMA2 (§9.4).
        case contextStream = 3
    }
}
