import GiupXaMessages
import GiupXaProtocol
import NIOCore

/// How a connection compresses its REQUEST messages when it offered mode 3 (PROTOCOL.md §9.3,
/// §9.4): through one stream, primed with the dictionary, from the first call (those pipelined
/// behind the HELLO use it on trust, as mode 2 does). With a deflate stream every message but
/// the tiniest goes in it; with an LZMA2 stream only large ones do (below the crossover,
/// deflate against the dictionary is smaller), the rest going in mode 2. If the server's HELLO
/// does not confirm the stream, later calls fall back to one stream per message (mode 2 if it
/// confirmed the dictionary, else mode 1). Lives on the channel's event loop.
final class RequestCompressor {
    private var deflater: ContextDeflater?
    private var lzma2: LZMA2ContextEncoder?
    /// For messages sent without the stream: the offered dictionary until the server answers.
    private var dictionary: CompressionDictionary?
    /// Messages this long and longer go in an LZMA2 stream.
    private let lzma2Threshold: Int

    init(dictionary: CompressionDictionary?, codec: ContextCodec) {
        lzma2Threshold = LZMA2Context.threshold(for: dictionary)
        switch codec {
        case .deflate: deflater = ContextDeflater(dictionary: dictionary)
        case .lzma2: lzma2 = LZMA2ContextEncoder(dictionary: dictionary)
        }
        self.dictionary = dictionary
    }

    func serverAnswered(_ hello: Giupxa_V1_ServerHello) {
        if !hello.compressionContext { deflater = nil }
        if !hello.compressionContextLzma2 { lzma2 = nil }
        if hello.compressionDictionary != dictionary?.id { dictionary = nil }
    }

    /// `frame`, a REQUEST with its message plain, with the message compressed.
    func compress(_ frame: Frame, allocator: ByteBufferAllocator) -> Frame {
        guard let (offset, message) = MessageCodec.messagePart(ofRequest: frame) else { return frame }
        if let deflater, message.readableBytes >= ContextDeflater.threshold {
            if let part = deflater.compress(message, allocator: allocator) {
                return MessageCodec.replacingMessage(of: frame, at: offset, with: part, compression: .contextStream)
            }
            // zlib failed mid-message: the stream is unusable from here on.
            self.deflater = nil
        }
        if let lzma2, message.readableBytes >= lzma2Threshold {
            if let part = lzma2.compress(message, allocator: allocator) {
                return MessageCodec.replacingMessage(of: frame, at: offset, with: part, compression: .contextStream)
            }
            self.lzma2 = nil
        }
        guard let compressed = Deflate.compressIfSmaller(message, dictionary: dictionary, allocator: allocator) else { return frame }
        return MessageCodec.replacingMessage(
            of: frame, at: offset, with: compressed, compression: dictionary == nil ? .deflateRaw : .deflateDictionary)
    }
}
