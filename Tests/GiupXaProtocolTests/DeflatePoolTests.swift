import GiupXaProtocol
import NIOCore
import Testing

/// Deflate reuses zlib streams across calls (PooledDeflater): whatever a call leaves behind,
/// the next one must produce a stream that inflates to its own input alone.
@Suite struct DeflatePoolTests {
    static func message(_ seed: Int, length: Int = 600) -> ByteBuffer {
        var text = ""
        var n = seed
        while text.utf8.count < length {
            n = (n &* 1_103_515_245 &+ 12_345) & 0x7fff_ffff
            text += ["Xã Mường Nhé ", "cán bộ ", "Sở Tài nguyên và Môi trường ", "\(n % 997) ", "hỗ trợ giống lúa ", "Phì Nhừ "][n % 6]
        }
        return ByteBuffer(string: text)
    }

    @Test func concurrentCallsEachGetTheirOwnStream() async throws {
        let failures = await withTaskGroup(of: Int.self) { group in
            for task in 0..<16 {
                group.addTask {
                    var bad = 0
                    for i in 0..<50 {
                        let input = Self.message(task * 1000 + i)
                        let dictionary: CompressionDictionary? = i % 2 == 0 ? .visits1 : nil
                        guard let compressed = Deflate.compressIfSmaller(input, dictionary: dictionary),
                              let back = try? Deflate.decompress(compressed, limit: 1 << 20, dictionary: dictionary),
                              back == input
                        else { bad += 1; continue }
                    }
                    return bad
                }
            }
            return await group.reduce(0, +)
        }
        #expect(failures == 0)
    }

    @Test func aStreamAbandonedMidwayDoesNotLeakIntoTheNextMessage() throws {
        // Random bytes do not fit in their own size: zlib stops with the stream unfinished.
        var generator = SystemRandomNumberGenerator()
        let noise = ByteBuffer(bytes: (0..<4096).map { _ in UInt8.random(in: 0...255, using: &generator) })
        for _ in 0..<20 { #expect(Deflate.compressIfSmaller(noise, dictionary: .visits1) == nil) }
        let input = Self.message(7)
        let compressed = try #require(Deflate.compressIfSmaller(input, dictionary: .visits1))
        #expect(try Deflate.decompress(compressed, limit: 1 << 20, dictionary: .visits1) == input)
        // The same bytes as a stream made from scratch: the pool changes cost, never output.
        let again = try #require(Deflate.compressIfSmaller(input, dictionary: .visits1))
        #expect(again == compressed)
    }
}
