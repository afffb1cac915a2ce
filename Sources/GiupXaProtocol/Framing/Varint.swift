public import NIOCore

/// Unsigned LEB128, as in protobuf, restricted to 32 bits and to its minimal encoding so that
/// every value has exactly one byte form (test vectors re-encode byte for byte).
public enum Varint {
    /// Bytes needed to encode `value`.
    @inlinable
    public static func size(_ value: UInt32) -> Int {
        switch value {
        case 0..<(1 << 7): 1
        case 0..<(1 << 14): 2
        case 0..<(1 << 21): 3
        case 0..<(1 << 28): 4
        default: 5
        }
    }

    @inlinable
    @discardableResult
    public static func write(_ value: UInt32, to buffer: inout ByteBuffer) -> Int {
        var v = value
        var written = 0
        while v >= 0x80 {
            buffer.writeInteger(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
            written += 1
        }
        buffer.writeInteger(UInt8(v))
        return written + 1
    }

    public enum ReadResult: Equatable, Sendable {
        case value(UInt32)
        /// More bytes are needed.
        case incomplete
        /// Longer than five bytes, above 2³²−1, or not minimal.
        case malformed
    }

    /// Reads a varint at the reader index; moves the reader index only on `.value`.
    @inlinable
    public static func read(from buffer: inout ByteBuffer) -> ReadResult {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        var index = buffer.readerIndex
        for position in 0..<5 {
            guard let byte = buffer.getInteger(at: index, as: UInt8.self) else { return .incomplete }
            index += 1
            result |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 == 0 {
                // A last byte of zero after the first means a non-minimal form.
                if position > 0 && byte == 0 { return .malformed }
                guard result <= UInt64(UInt32.max) else { return .malformed }
                buffer.moveReaderIndex(to: index)
                return .value(UInt32(result))
            }
            shift += 7
        }
        return .malformed
    }
}
