public import NIOCore

/// What the decoder yields: the client's preamble (server side only), then frames.
public enum WireEvent: Sendable, Hashable {
    case preamble(Preamble)
    case frame(Frame)
}

/// Splits the byte stream into frames. Checks the length prefix against the limit before
/// buffering the body, so an oversized frame costs nothing; returns `nil` on a partial frame
/// without consuming anything. Every error is connection-fatal (the stream cannot be resynced).
public struct FrameDecoder: NIOSingleStepByteToMessageDecoder {
    public typealias InboundOut = WireEvent

    private var expectPreamble: Bool
    private var sawHello = false
    private let limits: ProtocolLimits
    private let budget: ReceiveBudget?
    /// The budget held for the large frame whose body is arriving.
    private var reservation: ReceiveBudget.Reservation?

    /// `expectPreamble` is true on the server: the client speaks first with "GX" + versions.
    /// `budget`, on the server: the bytes all its connections may hold in partial frames.
    public init(expectPreamble: Bool, limits: ProtocolLimits = .default, budget: ReceiveBudget? = nil) {
        self.expectPreamble = expectPreamble
        self.limits = limits
        self.budget = budget
    }

    public mutating func decode(buffer: inout ByteBuffer) throws -> WireEvent? {
        if expectPreamble {
            guard let bytes = buffer.getBytes(at: buffer.readerIndex, length: Preamble.size) else {
                // Fail fast on a wrong first byte (an HTTP client, a port scanner).
                if let first = buffer.getInteger(at: buffer.readerIndex, as: UInt8.self), first != Preamble.magic.0 {
                    throw ProtocolViolation.badPreamble
                }
                return nil
            }
            guard bytes[0] == Preamble.magic.0, bytes[1] == Preamble.magic.1 else { throw ProtocolViolation.badPreamble }
            buffer.moveReaderIndex(forwardBy: Preamble.size)
            expectPreamble = false
            return .preamble(Preamble(minVersion: bytes[2], maxVersion: bytes[3]))
        }

        let start = buffer.readerIndex
        guard let header = buffer.readInteger(as: UInt8.self) else { return nil }
        guard let type = FrameType(rawValue: header >> 4) else {
            throw ProtocolViolation.unknownFrameType(header >> 4)
        }
        let flags = FrameFlags(rawValue: header)
        guard !flags.contains(.reserved) else { throw ProtocolViolation.reservedFlags }

        let callID: UInt32
        switch Varint.read(from: &buffer) {
        case .value(let v): callID = v
        case .incomplete: buffer.moveReaderIndex(to: start); return nil
        case .malformed: throw ProtocolViolation.malformedVarint("call id")
        }
        let length: Int
        switch Varint.read(from: &buffer) {
        case .value(let v): length = Int(v)
        case .incomplete: buffer.moveReaderIndex(to: start); return nil
        case .malformed: throw ProtocolViolation.malformedVarint("length")
        }
        let limit = (type == .hello && !sawHello) ? limits.maxHelloBytes : limits.maxFrameBytes
        guard length <= limit else { throw ProtocolViolation.frameTooLarge(length: length, limit: limit) }
        guard let body = buffer.readSlice(length: length) else {
            buffer.moveReaderIndex(to: start)
            if let budget, reservation == nil, length > budget.freePerFrame {
                guard let granted = budget.reserve(length) else { throw ProtocolViolation.receiveBudgetExhausted(length: length) }
                reservation = granted
            }
            return nil
        }
        reservation = nil
        if type == .hello { sawHello = true }
        return .frame(Frame(type: type, flags: flags, callID: callID, body: body))
    }

    public mutating func decodeLast(buffer: inout ByteBuffer, seenEOF: Bool) throws -> WireEvent? {
        try decode(buffer: &buffer)
    }
}

/// Writes frames (and, on the client, the preamble) to the channel.
public struct FrameEncoder: MessageToByteEncoder {
    public typealias OutboundIn = Frame

    public init() {}

    public func encode(data: Frame, out: inout ByteBuffer) throws {
        data.write(to: &out)
    }
}
