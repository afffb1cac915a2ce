import CGiupXaZlib
public import NIOCore

/// Compression mode 3 (PROTOCOL.md §9.3): one raw deflate stream carries every REQUEST message
/// of a connection, so each message compresses against the ones sent before it (and the
/// dictionary), as if the batches had been one. Each message ends with a sync flush, so the
/// receiver gets all of it at once; the flush's 4-byte marker `00 00 FF FF` is implied, not
/// sent (as WebSocket's permessage-deflate does).
///
/// Neither side may skip or reorder a message of the stream: the sender compresses in the order
/// it writes to the socket, the receiver inflates in the order it reads.
enum DeflateContext {
    static let flushMarker: [UInt8] = [0x00, 0x00, 0xFF, 0xFF]
}

/// The sending end (the client). Not thread-safe: owned by the connection's event loop.
public final class ContextDeflater {
    private let stream: UnsafeMutablePointer<z_stream>
    private let dictionary: CompressionDictionary?
    /// zlib's ~270 KB of state is allocated at the first message, not per connection.
    private var started = false

    /// Messages shorter than this stay plain (mode 0) and out of the stream: a sync flush
    /// costs about 5 bytes, more than deflate can save on them.
    public static let threshold = 16

    public init(dictionary: CompressionDictionary?) {
        self.dictionary = dictionary
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
    }

    deinit {
        if started { deflateEnd(stream) }
        stream.deinitialize(count: 1)
        stream.deallocate()
    }

    /// The message's part of the stream (sync-flushed, marker removed). Nil if zlib fails,
    /// which leaves the stream unusable: the caller must stop using mode 3 on this connection.
    /// Messages shorter than `threshold` stay out of the stream (zlib would not even emit a
    /// second flush in a row for an empty one): send them in mode 0.
    public func compress(_ input: ByteBuffer, allocator: ByteBufferAllocator = .init()) -> ByteBuffer? {
        precondition(input.readableBytes > 0, "an empty message has no part in the deflate stream; send it in mode 0")
        if !started {
            guard CGiupXaZlib_deflateInit2(stream, 9, -15, 9) == Z_OK else { return nil }
            started = true
            if let dictionary {
                let rc = dictionary.bytes.withUnsafeBufferPointer { deflateSetDictionary(stream, $0.baseAddress, UInt32($0.count)) }
                guard rc == Z_OK else { return nil }
            }
        }
        // Incompressible input grows by ~5 bytes per 16 KiB block, plus the flush.
        var output = allocator.buffer(capacity: input.readableBytes + input.readableBytes / 1000 + 64)
        var failed = false
        input.withUnsafeReadableBytes { inBytes in
            stream.pointee.next_in = UnsafeMutablePointer(mutating: inBytes.bindMemory(to: UInt8.self).baseAddress)
            stream.pointee.avail_in = UInt32(inBytes.count)
            // zlib wants another call with the same flush whenever it filled the output.
            repeat {
                if output.writableBytes < 64 { output.reserveCapacity(minimumWritableBytes: max(64, output.capacity)) }
                _ = output.writeWithUnsafeMutableBytes(minimumWritableBytes: 64) { outBytes in
                    stream.pointee.next_out = outBytes.bindMemory(to: UInt8.self).baseAddress
                    stream.pointee.avail_out = UInt32(outBytes.count)
                    let rc = deflate(stream, Z_SYNC_FLUSH)
                    if rc != Z_OK && rc != Z_BUF_ERROR { failed = true }
                    return outBytes.count - Int(stream.pointee.avail_out)
                }
            } while !failed && stream.pointee.avail_out == 0
        }
        guard !failed, stream.pointee.avail_in == 0, output.readableBytes >= 4,
              output.getBytes(at: output.writerIndex - 4, length: 4) == DeflateContext.flushMarker
        else { return nil }
        output.moveWriterIndex(to: output.writerIndex - 4)
        return output
    }
}

/// The receiving end (the server). Not thread-safe: owned by the connection's read loop. Any
/// failure leaves the stream out of step with the sender's: the connection must end.
public final class ContextInflater: ContextDecompressor {
    private let stream: UnsafeMutablePointer<z_stream>
    private let dictionary: CompressionDictionary?
    /// zlib's ~7 KB of state and 32 KiB window exist only once the client used mode 3.
    private var started = false

    public init(dictionary: CompressionDictionary?) {
        self.dictionary = dictionary
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
    }

    deinit {
        if started { inflateEnd(stream) }
        stream.deinitialize(count: 1)
        stream.deallocate()
    }

    /// Inflates one message's part of the stream, refusing output above `limit` bytes.
    /// `.corrupt` also covers a part that does not end exactly at its sync flush.
    public func decompress(_ input: ByteBuffer, limit: Int, allocator: ByteBufferAllocator = .init()) throws(Deflate.Failure) -> ByteBuffer {
        if !started {
            guard CGiupXaZlib_inflateInit2(stream, -15) == Z_OK else { throw .corrupt }
            started = true
            if let dictionary {
                let rc = dictionary.bytes.withUnsafeBufferPointer { inflateSetDictionary(stream, $0.baseAddress, UInt32($0.count)) }
                guard rc == Z_OK else { throw .corrupt }
            }
        }
        var framed = allocator.buffer(capacity: input.readableBytes + 4)
        framed.writeImmutableBuffer(input)
        framed.writeBytes(DeflateContext.flushMarker)
        var output = allocator.buffer(capacity: min(max(input.readableBytes * 4, 256), limit + 1))
        var corrupt = false
        var overLimit = false
        framed.withUnsafeMutableReadableBytes { inBytes in
            stream.pointee.next_in = inBytes.bindMemory(to: UInt8.self).baseAddress
            stream.pointee.avail_in = UInt32(inBytes.count)
            while true {
                if output.writableBytes == 0 {
                    // Room for at most one byte past the limit: enough to detect the overflow.
                    guard output.readableBytes <= limit else { overLimit = true; return }
                    output.reserveCapacity(minimumWritableBytes: min(output.capacity, limit + 1 - output.readableBytes))
                }
                var rc: Int32 = Z_OK
                let room = output.writableBytes
                let produced = output.writeWithUnsafeMutableBytes(minimumWritableBytes: 1) { outBytes in
                    stream.pointee.next_out = outBytes.bindMemory(to: UInt8.self).baseAddress
                    stream.pointee.avail_out = UInt32(outBytes.count)
                    rc = inflate(stream, Z_SYNC_FLUSH)
                    return outBytes.count - Int(stream.pointee.avail_out)
                }
                if output.readableBytes > limit { overLimit = true; return }
                // The stream never ends in mode 3 (no BFINAL block); anything but progress is corrupt.
                guard rc == Z_OK || rc == Z_BUF_ERROR else { corrupt = true; return }
                // Done when all input is read and inflate waits for the next block header with no
                // bits left over: the implied flush marker ended the part exactly. (data_type is
                // bits + 64·last block + 128·at a block header; checked right after the call that
                // got there, since a further call with nothing to do reports 0.)
                if stream.pointee.avail_in == 0 && stream.pointee.data_type == 128 { return }
                // Input used up elsewhere (room left, so inflate wanted more): truncated or damaged.
                if stream.pointee.avail_in == 0 && produced < room { corrupt = true; return }
                if rc == Z_BUF_ERROR && produced == 0 { corrupt = true; return }
            }
        }
        if overLimit { throw .tooLarge(limit: limit) }
        guard !corrupt else { throw .corrupt }
        return output
    }
}
