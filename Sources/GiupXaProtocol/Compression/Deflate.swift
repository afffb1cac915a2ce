import CGiupXaZlib
public import NIOCore
import Synchronization

/// Raw deflate (RFC 1951) for message parts, through the system zlib. Each message is its own
/// stream (modes 1 and 2); compressing calls take a stream from a small shared pool, so
/// concurrent call tasks never share one. Mode 3's connection-long stream is DeflateContext.
public enum Deflate {
    /// Messages shorter than this are sent as they are: deflate rarely wins below it.
    public static let threshold = 96

    public enum Failure: Error, Sendable, Hashable {
        /// The compressed data is not a valid raw deflate stream, is truncated, or has bytes
        /// after the end of the stream.
        case corrupt
        /// Inflating would exceed the limit; stopped before allocating more.
        case tooLarge(limit: Int)
    }

    /// Compresses `input` and returns the result only if it is strictly smaller, so that
    /// compression is applied only when it pays. Level 9: on a 2G link bytes cost far more
    /// than CPU.
    /// With a `dictionary`, the stream starts as if those bytes had just been sent (mode 2).
    public static func compressIfSmaller(
        _ input: ByteBuffer, dictionary: CompressionDictionary? = nil, allocator: ByteBufferAllocator = .init()
    ) -> ByteBuffer? {
        // With a dictionary even a short message finds matches.
        guard input.readableBytes >= (dictionary == nil ? threshold : 16) else { return nil }
        guard let deflater = PooledDeflater.take() else { return nil }
        defer { PooledDeflater.give(deflater) }
        let stream = deflater.stream
        if let dictionary {
            let rc = dictionary.bytes.withUnsafeBufferPointer { deflateSetDictionary(stream, $0.baseAddress, UInt32($0.count)) }
            guard rc == Z_OK else { return nil }
        }
        let budget = input.readableBytes - 1
        var output = allocator.buffer(capacity: budget)
        var finished = false
        input.withUnsafeReadableBytes { inBytes in
            _ = output.writeWithUnsafeMutableBytes(minimumWritableBytes: budget) { outBytes in
                stream.pointee.next_in = UnsafeMutablePointer(mutating: inBytes.bindMemory(to: UInt8.self).baseAddress!)
                stream.pointee.avail_in = UInt32(inBytes.count)
                stream.pointee.next_out = outBytes.bindMemory(to: UInt8.self).baseAddress!
                stream.pointee.avail_out = UInt32(budget)
                // Z_STREAM_END only if everything fit in less than the input's size.
                finished = deflate(stream, Z_FINISH) == Z_STREAM_END
                return finished ? Int(stream.pointee.total_out) : 0
            }
        }
        return finished ? output : nil
    }

    /// Inflates one complete raw deflate stream, refusing output above `limit` bytes without
    /// allocating it: a small frame that would inflate to 1 GiB stops at `limit`.
    public static func decompress(
        _ input: ByteBuffer, limit: Int, dictionary: CompressionDictionary? = nil, allocator: ByteBufferAllocator = .init()
    ) throws(Failure) -> ByteBuffer {
        var stream = z_stream()
        guard CGiupXaZlib_inflateInit2(&stream, -15) == Z_OK else { throw .corrupt }
        defer { inflateEnd(&stream) }
        if let dictionary {
            // A raw stream takes its dictionary before the first inflate call.
            let rc = dictionary.bytes.withUnsafeBufferPointer { inflateSetDictionary(&stream, $0.baseAddress, UInt32($0.count)) }
            guard rc == Z_OK else { throw .corrupt }
        }
        var output = allocator.buffer(capacity: min(max(input.readableBytes * 4, 256), limit))
        var input = input
        var rc: Int32 = Z_OK
        var overLimit = false
        input.withUnsafeMutableReadableBytes { inBytes in
            stream.next_in = inBytes.bindMemory(to: UInt8.self).baseAddress
            stream.avail_in = UInt32(inBytes.count)
            while rc == Z_OK {
                if output.writableBytes == 0 {
                    // Room for at most one byte past the limit: enough to detect the overflow.
                    guard output.readableBytes < limit else { overLimit = true; return }
                    output.reserveCapacity(minimumWritableBytes: min(output.capacity, limit + 1 - output.readableBytes))
                }
                _ = output.writeWithUnsafeMutableBytes(minimumWritableBytes: 1) { outBytes in
                    stream.next_out = outBytes.bindMemory(to: UInt8.self).baseAddress
                    stream.avail_out = UInt32(outBytes.count)
                    let before = stream.avail_out
                    rc = inflate(&stream, Z_NO_FLUSH)
                    return Int(before - stream.avail_out)
                }
                if output.readableBytes > limit { overLimit = true; return }
                // Z_BUF_ERROR with output room left means the input ended mid-stream.
                if rc == Z_BUF_ERROR && output.writableBytes == 0 { rc = Z_OK }
            }
        }
        if overLimit { throw .tooLarge(limit: limit) }
        guard rc == Z_STREAM_END, stream.avail_in == 0 else { throw .corrupt }
        return output
    }
}

/// A level-9 raw deflate stream kept for reuse. deflateInit allocates and clears about 400 KB
/// of state, which costs more than compressing a short answer (measured ~60 µs against ~10 µs
/// for a 300-byte message); deflateReset keeps the memory and restarts the stream.
final class PooledDeflater: @unchecked Sendable {
    /// Owned by one caller at a time: handed over through `idle`'s lock.
    let stream: UnsafeMutablePointer<z_stream>

    private init?() {
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        guard CGiupXaZlib_deflateInit2(stream, 9, -15, 9) == Z_OK else {
            stream.deinitialize(count: 1)
            stream.deallocate()
            return nil
        }
    }

    deinit {
        deflateEnd(stream)
        stream.deinitialize(count: 1)
        stream.deallocate()
    }

    /// At most this many idle streams are kept (one per busy core is the need).
    private static let maxIdle = 8
    private static let idle = Mutex<[PooledDeflater]>([])

    /// A fresh stream: an idle one or a new one (nil only if zlib cannot allocate).
    static func take() -> PooledDeflater? {
        idle.withLock { $0.popLast() } ?? PooledDeflater()
    }

    /// Returns a stream after use; it is reset, whatever state the use left it in.
    static func give(_ deflater: PooledDeflater) {
        guard deflateReset(deflater.stream) == Z_OK else { return }
        idle.withLock { if $0.count < maxIdle { $0.append(deflater) } }
    }
}
