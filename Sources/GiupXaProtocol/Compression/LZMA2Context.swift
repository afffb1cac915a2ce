import CGiupXaLZMA
public import NIOCore

/// Compression mode 3 with LZMA2 as the stream's codec (PROTOCOL.md §9.4): one raw LZMA2 stream
/// carries the connection's large REQUEST messages, each ending at a sync flush (an LZMA2 chunk
/// boundary, so the receiver gets all of it at once). On a sync of 200 visits it sends about 30 %
/// fewer bytes than the deflate stream; on short messages deflate with the dictionary wins, so
/// those still go in mode 2.
///
/// Both ends use the same filter: LZMA2, a 256 KiB dictionary (the receiver's memory for the
/// stream, fixed by the protocol), primed with the agreed preset dictionary.
public enum LZMA2Context {
    /// The stream's LZMA2 dictionary size. A sender must not use a larger one: the receiver's
    /// window is this big and nothing more.
    public static let dictionarySize: UInt32 = 256 * 1024
    /// Messages at least this long go in the stream; shorter ones compress better with deflate
    /// against the preset dictionary (mode 2). Measured crossover on visit batches: ~12 KB.
    public static let threshold = 12 * 1024
    /// The same crossover with an agency dictionary (§9.5) of at least `agencyPartForLowThreshold`
    /// bytes: against tens of KB of the agency's own visits, more than deflate's 32 KiB window
    /// sees, even one visit is smaller in the LZMA2 stream (measured: a 1-visit sync costs 422
    /// bytes against 520 in mode 2, with 60 visits of history). With a few visits deflate still wins.
    public static let thresholdWithAgencyDictionary = 256
    public static let agencyPartForLowThreshold = 16 * 1024

    /// The threshold for a stream primed with `dictionary`.
    public static func threshold(for dictionary: CompressionDictionary?) -> Int {
        guard let dictionary, let base = AgencyDictionary.base(ofID: dictionary.id),
              dictionary.bytes.count - base.bytes.count >= agencyPartForLowThreshold
        else { return threshold }
        return thresholdWithAgencyDictionary
    }

    /// The filter chain both ends build. The preset only sets the encoder's search effort (the
    /// decoder needs only the dictionary): 6, xz's default, sends 200 visits in 1 % more bytes
    /// than 9 + extreme for a third of its CPU (45 against 130 ms per 250 KB here), which on a
    /// slow device costs more time than the bytes save.
    static func withFilters<T>(
        dictionary: CompressionDictionary?, _ body: (UnsafePointer<lzma_filter>) -> T
    ) -> T {
        var options = lzma_options_lzma()
        _ = lzma_lzma_preset(&options, 6)
        options.dict_size = dictionarySize
        return withPresetDictionary(dictionary) { bytes in
            if let bytes {
                options.preset_dict = bytes.baseAddress
                options.preset_dict_size = UInt32(bytes.count)
            }
            return withUnsafeMutablePointer(to: &options) { optionsPointer in
                let filters = [
                    lzma_filter(id: CGiupXaLZMA_filterLZMA2, options: UnsafeMutableRawPointer(optionsPointer)),
                    lzma_filter(id: CGiupXaLZMA_filterEnd, options: nil),
                ]
                return filters.withUnsafeBufferPointer { body($0.baseAddress!) }
            }
        }
    }

    /// The bytes a part decodes to, read from its LZMA2 chunk headers without decoding; nil if
    /// the part is not a run of whole chunks (cut short, an end marker, a bad control byte). A
    /// sync flush ends the current chunk, so a sender's part is always whole chunks.
    ///
    /// LZMA2 chunk: control byte 0x01/0x02 = stored chunk, then 2 bytes of (size − 1), then the
    /// data; 0x80–0xFF = LZMA chunk, the low 5 bits being the high bits of (unpacked size − 1),
    /// then 2 more bytes of it, 2 bytes of (packed size − 1), a properties byte if bit 6 is set,
    /// then the packed data. 0x00 ends the stream.
    static func unpackedSize(ofWholeChunks part: UnsafeRawBufferPointer) -> Int? {
        var offset = 0
        var total = 0
        while offset < part.count {
            let control = Int(part[offset])
            switch control {
            case 0x01, 0x02:
                guard offset + 3 <= part.count else { return nil }
                let size = (Int(part[offset + 1]) << 8 | Int(part[offset + 2])) + 1
                offset += 3 + size
                total += size
            case 0x80...0xFF:
                let header = control & 0x40 != 0 ? 6 : 5
                guard offset + header <= part.count else { return nil }
                total += ((control & 0x1F) << 16 | Int(part[offset + 1]) << 8 | Int(part[offset + 2])) + 1
                offset += header + (Int(part[offset + 3]) << 8 | Int(part[offset + 4])) + 1
            default:
                return nil
            }
        }
        return offset == part.count ? total : nil
    }

    private static func withPresetDictionary<T>(_ dictionary: CompressionDictionary?, _ body: (UnsafeBufferPointer<UInt8>?) -> T) -> T {
        guard let dictionary else { return body(nil) }
        return dictionary.bytes.withUnsafeBufferPointer { body($0) }
    }
}

/// The sending end (the client). Not thread-safe: owned by the connection's event loop.
public final class LZMA2ContextEncoder {
    /// liblzma's ~4 MB of encoder state is allocated at the first large message.
    private let state: LZMA2Stream

    public init(dictionary: CompressionDictionary?) {
        state = LZMA2Stream(dictionary: dictionary)
    }

    /// The message's part of the stream, ending at a sync flush. Nil if liblzma fails, which
    /// leaves the stream unusable: the caller must stop using it on this connection.
    public func compress(_ input: ByteBuffer, allocator: ByteBufferAllocator = .init()) -> ByteBuffer? {
        guard let stream = state.start(with: lzma_raw_encoder) else { return nil }
        // Incompressible input grows by a chunk header per 64 KiB at most.
        var output = allocator.buffer(capacity: input.readableBytes + input.readableBytes / 256 + 64)
        var failed = false
        input.withUnsafeReadableBytes { inBytes in
            stream.pointee.next_in = inBytes.bindMemory(to: UInt8.self).baseAddress
            stream.pointee.avail_in = inBytes.count
            // LZMA_STREAM_END says the flush is complete; until then liblzma wants more room.
            var rc = LZMA_OK
            repeat {
                if output.writableBytes < 64 { output.reserveCapacity(minimumWritableBytes: max(64, output.capacity)) }
                _ = output.writeWithUnsafeMutableBytes(minimumWritableBytes: 64) { outBytes in
                    stream.pointee.next_out = outBytes.bindMemory(to: UInt8.self).baseAddress
                    stream.pointee.avail_out = outBytes.count
                    rc = lzma_code(stream, LZMA_SYNC_FLUSH)
                    return outBytes.count - stream.pointee.avail_out
                }
            } while rc == LZMA_OK
            failed = rc != LZMA_STREAM_END
        }
        guard !failed, stream.pointee.avail_in == 0 else { return nil }
        return output
    }
}

/// The receiving end (the server). Not thread-safe: owned by the connection's read loop. Any
/// failure leaves the stream out of step with the sender's: the connection must end.
public final class LZMA2ContextDecoder: ContextDecompressor {
    /// The 256 KiB window and ~30 KB of state exist only once the client used the stream.
    private let state: LZMA2Stream

    public init(dictionary: CompressionDictionary?) {
        state = LZMA2Stream(dictionary: dictionary)
    }

    /// Decodes one message's part of the stream, refusing output above `limit` bytes before
    /// decoding anything (the chunk headers give the size). `.corrupt` also covers a part that
    /// is not exactly whole chunks, or does not decode to the size they announce.
    public func decompress(_ input: ByteBuffer, limit: Int, allocator: ByteBufferAllocator = .init()) throws(Deflate.Failure) -> ByteBuffer {
        guard let size = input.withUnsafeReadableBytes({ LZMA2Context.unpackedSize(ofWholeChunks: $0) }) else { throw .corrupt }
        guard size <= limit else { throw .tooLarge(limit: limit) }
        // No chunks: an empty message (what the encoder makes of one), nothing for liblzma to do.
        if size == 0 { return allocator.buffer(capacity: 0) }
        guard let stream = state.start(with: lzma_raw_decoder) else { throw .corrupt }
        var output = allocator.buffer(capacity: size)
        var rc = LZMA_OK
        input.withUnsafeReadableBytes { inBytes in
            _ = output.writeWithUnsafeMutableBytes(minimumWritableBytes: size) { outBytes in
                stream.pointee.next_in = inBytes.bindMemory(to: UInt8.self).baseAddress
                stream.pointee.avail_in = inBytes.count
                stream.pointee.next_out = outBytes.bindMemory(to: UInt8.self).baseAddress
                stream.pointee.avail_out = size
                // The output has exactly the room the chunks announce; the last chunk's final
                // bytes may still be read after it is full, hence more calls while input remains.
                repeat {
                    rc = lzma_code(stream, LZMA_RUN)
                } while rc == LZMA_OK && stream.pointee.avail_in > 0
                return size - stream.pointee.avail_out
            }
        }
        // The stream never ends in mode 3 (an end marker is corrupt); every byte in, every byte out.
        guard rc == LZMA_OK, stream.pointee.avail_in == 0, output.readableBytes == size else { throw .corrupt }
        return output
    }
}

/// One liblzma stream with the §9.4 filter, started (and its memory allocated) on first use.
final class LZMA2Stream {
    private let stream: UnsafeMutablePointer<lzma_stream>
    private let dictionary: CompressionDictionary?
    private var started = false

    init(dictionary: CompressionDictionary?) {
        self.dictionary = dictionary
        stream = .allocate(capacity: 1)
        stream.initialize(to: lzma_stream())
    }

    deinit {
        if started { lzma_end(stream) }
        stream.deinitialize(count: 1)
        stream.deallocate()
    }

    /// The stream, started with `initializer` (lzma_raw_encoder or lzma_raw_decoder, which copy
    /// the options and the preset dictionary) the first time; nil if liblzma refuses.
    func start(
        with initializer: (UnsafeMutablePointer<lzma_stream>, UnsafePointer<lzma_filter>) -> lzma_ret
    ) -> UnsafeMutablePointer<lzma_stream>? {
        if !started {
            guard LZMA2Context.withFilters(dictionary: dictionary, { initializer(stream, $0) }) == LZMA_OK else { return nil }
            started = true
        }
        return stream
    }
}
