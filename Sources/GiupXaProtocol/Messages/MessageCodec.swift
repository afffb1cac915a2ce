public import GiupXaMessages
public import NIOCore
public import SwiftProtobuf

/// Builds and opens the bodies of frames: method numbers, call metadata, protobuf messages and
/// their compression. Pure functions over ByteBuffers; the connection code does the I/O.
public enum MessageCodec {
    // MARK: Building frames

    public static func clientHello(_ hello: Giupxa_V1_ClientHello) -> Frame {
        Frame(type: .hello, callID: 0, body: serialize(hello))
    }

    public static func serverHello(_ hello: Giupxa_V1_ServerHello) -> Frame {
        Frame(type: .hello, callID: 0, body: serialize(hello))
    }

    /// `request` frame: `method (varint) | [metadata length (varint) | CallMetadata] | message`.
    public static func request(
        callID: UInt32, method: Method, metadata: Giupxa_V1_CallMetadata? = nil,
        message: some SwiftProtobuf.Message, compress: Bool = true, dictionary: CompressionDictionary? = nil
    ) -> Frame {
        let (payload, compression) = encodeMessage(message, compress: compress, dictionary: dictionary)
        var body = ByteBuffer()
        var flags = FrameFlags()
        flags.compression = compression
        Varint.write(method.rawValue, to: &body)
        if let metadata {
            flags.insert(.metadata)
            let encoded = serialize(metadata)
            Varint.write(UInt32(encoded.readableBytes), to: &body)
            body.writeImmutableBuffer(encoded)
        }
        body.writeImmutableBuffer(payload)
        return Frame(type: .request, flags: flags, callID: callID, body: body)
    }

    /// A REQUEST's message part (after the method and any metadata) and where it starts, or
    /// nil if those are malformed.
    public static func messagePart(ofRequest frame: Frame) -> (offset: Int, message: ByteBuffer)? {
        var body = frame.body
        guard case .value = Varint.read(from: &body) else { return nil }
        if frame.flags.contains(.metadata) {
            guard case .value(let length) = Varint.read(from: &body), body.readSlice(length: Int(length)) != nil else { return nil }
        }
        return (body.readerIndex - frame.body.readerIndex, body)
    }

    /// The REQUEST with its message part replaced (e.g. compressed or inflated) and its
    /// compression mode set accordingly; `offset` from `messagePart(ofRequest:)`.
    public static func replacingMessage(of frame: Frame, at offset: Int, with message: ByteBuffer, compression: FrameFlags.Compression) -> Frame {
        var body = frame.body.getSlice(at: frame.body.readerIndex, length: offset)!
        body.writeImmutableBuffer(message)
        var flags = frame.flags
        flags.compression = compression
        return Frame(type: frame.type, flags: flags, callID: frame.callID, body: body)
    }

    public static func response(
        callID: UInt32, message: some SwiftProtobuf.Message, compress: Bool = true, dictionary: CompressionDictionary? = nil
    ) -> Frame {
        let (payload, compression) = encodeMessage(message, compress: compress, dictionary: dictionary)
        var flags = FrameFlags()
        flags.compression = compression
        return Frame(type: .response, flags: flags, callID: callID, body: payload)
    }

    public static func status(callID: UInt32, error: RPCError) -> Frame {
        Frame(type: .status, callID: callID, body: serialize(error.status))
    }

    public static func goAway(status: Giupxa_V1_Status, lastCallID: UInt32, handshakeCounterFloor: UInt64 = 0) -> Frame {
        var message = Giupxa_V1_GoAway()
        message.status = status
        message.lastCallID = lastCallID
        message.handshakeCounterFloor = handshakeCounterFloor
        return Frame(type: .goAway, callID: 0, body: serialize(message))
    }

    public static func cancel(callID: UInt32) -> Frame {
        Frame(type: .cancel, callID: callID, body: ByteBuffer())
    }

    // MARK: Opening frames

    /// A REQUEST frame's parts, message already decompressed.
    public struct Request: Sendable {
        public var callID: UInt32
        /// The raw method number: an unknown one is answered with UNIMPLEMENTED, not dropped.
        public var methodNumber: UInt32
        public var metadata: Giupxa_V1_CallMetadata
        public var message: ByteBuffer

        public var method: Method? { Method(rawValue: methodNumber) }
    }

    /// Opens a REQUEST. A malformed method or metadata, or a message that does not inflate, ends
    /// the call (INVALID_ARGUMENT / RESOURCE_EXHAUSTED) but not the connection: frame
    /// boundaries are still intact.
    public static func openRequest(_ frame: Frame, limits: ProtocolLimits, dictionary: CompressionDictionary? = nil) throws(RPCError) -> Request {
        var body = frame.body
        guard case .value(let method) = Varint.read(from: &body) else {
            throw RPCError(code: .invalidArgument, message: "malformed method number")
        }
        var metadata = Giupxa_V1_CallMetadata()
        if frame.flags.contains(.metadata) {
            guard case .value(let length) = Varint.read(from: &body), let slice = body.readSlice(length: Int(length)) else {
                throw RPCError(code: .invalidArgument, message: "malformed call metadata")
            }
            metadata = try decode(Giupxa_V1_CallMetadata.self, from: slice)
        }
        let message = try openMessage(body, compression: frame.flags.compression, limits: limits, dictionary: dictionary)
        return Request(callID: frame.callID, methodNumber: method, metadata: metadata, message: message)
    }

    /// The message part of a RESPONSE (or a REQUEST's remainder), decompressed within limits.
    /// `dictionary`: the one agreed in the HELLO, which mode 2 needs.
    public static func openMessage(
        _ payload: ByteBuffer, compression: FrameFlags.Compression, limits: ProtocolLimits, dictionary: CompressionDictionary? = nil
    ) throws(RPCError) -> ByteBuffer {
        let preset: CompressionDictionary?
        switch compression {
        case .none:
            return payload
        case .deflateRaw:
            preset = nil
        case .deflateDictionary:
            guard let dictionary else {
                throw RPCError(code: .unimplemented, message: "compression mode 2 needs a dictionary agreed in the HELLO")
            }
            preset = dictionary
        case .contextStream:
            // The connection's read loop inflates mode 3 in stream order (§9.3) before a call
            // reaches here; one that gets here was never agreed.
            throw RPCError(code: .unimplemented, message: "compression mode 3 was not agreed in the HELLO")
        }
        do {
            return try Deflate.decompress(payload, limit: limits.maxMessageBytes, dictionary: preset)
        } catch .tooLarge(let limit) {
            throw RPCError(code: .resourceExhausted, message: "message inflates beyond \(limit) bytes")
        } catch {
            throw RPCError(code: .invalidArgument, message: "message is not valid raw deflate data")
        }
    }

    /// Decodes a protobuf message; a malformed one (including invalid UTF-8 in a string) is
    /// INVALID_ARGUMENT. Unknown fields from a newer peer are kept, not rejected.
    public static func decode<M: SwiftProtobuf.Message>(_ type: M.Type, from buffer: ByteBuffer) throws(RPCError) -> M {
        do {
            return try M(serializedBytes: Array(buffer.readableBytesView))
        } catch {
            throw RPCError(code: .invalidArgument, message: "malformed \(M.protoMessageName): \(error)")
        }
    }

    // MARK: Helpers

    public static func serialize(_ message: some SwiftProtobuf.Message) -> ByteBuffer {
        // Serialising a message we built cannot fail (no required fields in proto3).
        let bytes: [UInt8] = try! message.serializedBytes()
        return ByteBuffer(bytes: bytes)
    }

    static func encodeMessage(
        _ message: some SwiftProtobuf.Message, compress: Bool, dictionary: CompressionDictionary?
    ) -> (ByteBuffer, FrameFlags.Compression) {
        let plain = serialize(message)
        guard compress else { return (plain, .none) }
        if let dictionary, let smaller = Deflate.compressIfSmaller(plain, dictionary: dictionary) { return (smaller, .deflateDictionary) }
        if let smaller = Deflate.compressIfSmaller(plain) { return (smaller, .deflateRaw) }
        return (plain, .none)
    }
}
