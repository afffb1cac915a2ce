public import GiupXaMessages
public import NIOCore

/// The receiving end of a connection's mode-3 stream (PROTOCOL.md §9.3, §9.4), whichever codec
/// the HELLO agreed: each REQUEST's message part is decompressed in wire order.
public protocol ContextDecompressor: AnyObject {
    /// One message's part of the stream, refusing output above `limit` bytes. Any failure
    /// leaves the stream out of step with the sender's: the connection must end.
    func decompress(_ input: ByteBuffer, limit: Int, allocator: ByteBufferAllocator) throws(Deflate.Failure) -> ByteBuffer
}

/// The codec of a connection's mode-3 stream, as agreed in the HELLO.
public enum ContextCodec: Sendable, Hashable {
    /// ClientHello.compression_context (§9.3).
    case deflate
    /// ClientHello.compression_context_lzma2 (§9.4).
    case lzma2

    /// What the client asked for; LZMA2 if it (wrongly) set both.
    public init?(requestedBy hello: Giupxa_V1_ClientHello) {
        if hello.compressionContextLzma2 { self = .lzma2 } else if hello.compressionContext { self = .deflate } else { return nil }
    }

    /// The receiving end, allocating nothing until the first message arrives.
    public func makeDecompressor(dictionary: CompressionDictionary?) -> any ContextDecompressor {
        switch self {
        case .deflate: ContextInflater(dictionary: dictionary)
        case .lzma2: LZMA2ContextDecoder(dictionary: dictionary)
        }
    }
}
