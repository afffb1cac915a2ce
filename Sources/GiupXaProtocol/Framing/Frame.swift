public import NIOCore

/// One frame as it crosses the wire: `header | call id (varint) | length (varint) | body`.
/// The body is opaque at this layer; `FrameBody` gives it meaning per type.
public struct Frame: Sendable, Hashable {
    public var type: FrameType
    public var flags: FrameFlags
    /// 0 for connection-level frames (HELLO, PING, PONG, GOAWAY); the call otherwise.
    public var callID: UInt32
    public var body: ByteBuffer

    public init(type: FrameType, flags: FrameFlags = [], callID: UInt32, body: ByteBuffer) {
        self.type = type
        self.flags = flags
        self.callID = callID
        self.body = body
    }

    /// Bytes the frame adds around its body.
    public var overhead: Int { 1 + Varint.size(callID) + Varint.size(UInt32(body.readableBytes)) }

    /// Appends the frame to `buffer`.
    public func write(to buffer: inout ByteBuffer) {
        buffer.writeInteger(type.rawValue << 4 | flags.rawValue)
        Varint.write(callID, to: &buffer)
        Varint.write(UInt32(body.readableBytes), to: &buffer)
        var body = body
        buffer.writeBuffer(&body)
    }
}

/// The 4 bytes a client sends before anything else: "GX", lowest and highest version it speaks.
public struct Preamble: Sendable, Hashable {
    public static let magic: (UInt8, UInt8) = (0x47, 0x58)
    public static let size = 4

    public var minVersion: UInt8
    public var maxVersion: UInt8

    public init(minVersion: UInt8 = 1, maxVersion: UInt8 = 1) {
        self.minVersion = minVersion
        self.maxVersion = maxVersion
    }

    public func write(to buffer: inout ByteBuffer) {
        buffer.writeMultipleIntegers(Self.magic.0, Self.magic.1, minVersion, maxVersion)
    }
}
