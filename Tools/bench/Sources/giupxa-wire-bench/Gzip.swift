import CBenchZlib

/// zlib through the C shim: gzip for the HTTP contender, raw deflate for the compression column.
enum Gzip {
    struct CorruptInput: Error {}

    /// gzip at zlib's default level 6 (what `gzip`, nginx-like servers and grpc-swift use).
    static func compress(_ input: [UInt8], level: Int32 = 6) -> [UInt8] {
        var output = [UInt8](repeating: 0, count: bench_bound(input.count))
        let count = input.withUnsafeBufferPointer { source in
            output.withUnsafeMutableBufferPointer { target in
                bench_gzip(source.baseAddress, source.count, target.baseAddress, target.count, level)
            }
        }
        precondition(count > 0, "gzip failed")
        return Array(output.prefix(count))
    }

    static func decompress(_ input: [UInt8], limit: Int = 64 << 20) throws -> [UInt8] {
        var capacity = max(4096, input.count * 8)
        while capacity <= limit {
            var output = [UInt8](repeating: 0, count: capacity)
            let count = input.withUnsafeBufferPointer { source in
                output.withUnsafeMutableBufferPointer { target in
                    bench_gunzip(source.baseAddress, source.count, target.baseAddress, target.count)
                }
            }
            // -1: corrupt, or the output did not fit; try a larger buffer up to the limit.
            if count >= 0 { return Array(output.prefix(count)) }
            capacity *= 4
        }
        throw CorruptInput()
    }

    /// Size of one raw-deflate stream at level 9, memLevel 9 (GiupXa's settings, PROTOCOL.md §9).
    static func rawDeflateSize(_ input: [UInt8]) -> Int {
        var output = [UInt8](repeating: 0, count: bench_bound(input.count))
        return input.withUnsafeBufferPointer { source in
            output.withUnsafeMutableBufferPointer { target in
                bench_raw_deflate(source.baseAddress, source.count, target.baseAddress, target.count)
            }
        }
    }
}
