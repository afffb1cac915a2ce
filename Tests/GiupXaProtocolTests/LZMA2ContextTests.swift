import GiupXaProtocol
import NIOCore
import Testing

/// Mode 3 with an LZMA2 stream (PROTOCOL.md §9.4).
@Suite struct LZMA2ContextTests {
    @Test(arguments: [UInt64(1), 2, 708])
    func everyMessageComesBackInOrder(seed: UInt64) throws {
        for dictionary in [CompressionDictionary?.none, .visits1] {
            let encoder = LZMA2ContextEncoder(dictionary: dictionary)
            let decoder = LZMA2ContextDecoder(dictionary: dictionary)
            for message in DeflateContextTests.messages(count: 120, seed: seed) {
                let part = try #require(encoder.compress(ByteBuffer(bytes: message)))
                let back = try decoder.decompress(part, limit: 1 << 20)
                #expect(Array(back.readableBytesView) == message)
            }
        }
    }

    /// Found by the context-stream fuzz target: an empty message is a part with no chunks.
    @Test func anEmptyMessageRoundTripsMidStream() throws {
        let encoder = LZMA2ContextEncoder(dictionary: .visits1), decoder = LZMA2ContextDecoder(dictionary: .visits1)
        let text = ByteBuffer(string: "Rà soát hộ nghèo bản Keo Lôm")
        for message in [ByteBuffer(), text, ByteBuffer(), text] {
            let part = try #require(encoder.compress(message))
            #expect(try decoder.decompress(part, limit: 1 << 20) == message)
        }
    }

    @Test func laterMessagesCompressAgainstEarlierOnesAndTheDictionary() throws {
        let message = Array(String(repeating: "Tập huấn ủ phân hữu cơ cho 30 người dân bản Keo Lôm, xã Mường Nhé. ", count: 200).utf8)
        let encoder = LZMA2ContextEncoder(dictionary: .visits1)
        let first = try #require(encoder.compress(ByteBuffer(bytes: message)))
        let second = try #require(encoder.compress(ByteBuffer(bytes: message)))
        #expect(second.readableBytes < first.readableBytes)
        let decoder = LZMA2ContextDecoder(dictionary: .visits1)
        _ = try decoder.decompress(first, limit: 1 << 20)
        #expect(Array(try decoder.decompress(second, limit: 1 << 20).readableBytesView) == message)
        // Without the dictionary the same stream does not decode to the same text.
        let stranger = LZMA2ContextDecoder(dictionary: nil)
        let wrong = try? stranger.decompress(first, limit: 1 << 20)
        #expect(wrong.map { Array($0.readableBytesView) } != message)
    }

    @Test func garbageASkippedPartAndABombAreRefused() throws {
        let first = Array(String(repeating: "Rà soát hộ nghèo bản Keo Lôm. ", count: 500).utf8)
        let second = Array(String(repeating: "Tập huấn kỹ thuật trồng sắn cho người dân xã Phì Nhừ. ", count: 500).utf8)
        let encoder = LZMA2ContextEncoder(dictionary: nil)
        let parts = try [first, second, second].map { try #require(encoder.compress(ByteBuffer(bytes: $0))) }
        // Bytes that are not an LZMA2 stream.
        #expect(throws: Deflate.Failure.corrupt) {
            try LZMA2ContextDecoder(dictionary: nil).decompress(ByteBuffer(bytes: [0xFF, 0x13, 0x37, 0x00, 0x42]), limit: 1 << 20)
        }
        // Skipping the second part: the third does not decode to the message sent.
        let skipping = LZMA2ContextDecoder(dictionary: nil)
        _ = try skipping.decompress(parts[0], limit: 1 << 20)
        let garbled = try? skipping.decompress(parts[2], limit: 1 << 20)
        #expect(garbled.map { Array($0.readableBytesView) } != second)
        // A part cut short, or with a byte more, is not whole chunks.
        for damaged in [parts[0].getSlice(at: 0, length: parts[0].readableBytes - 3)!, parts[0].getSlice(at: 0, length: 4)!] {
            #expect(throws: Deflate.Failure.corrupt) { try LZMA2ContextDecoder(dictionary: nil).decompress(damaged, limit: 1 << 20) }
        }
        var longer = parts[0]
        longer.writeInteger(UInt8(0x02))
        #expect(throws: Deflate.Failure.corrupt) { try LZMA2ContextDecoder(dictionary: nil).decompress(longer, limit: 1 << 20) }
        // 15 KB of text out of a few hundred bytes: output above the limit stops there.
        #expect(parts[0].readableBytes < 500)
        #expect(throws: Deflate.Failure.tooLarge(limit: 1000)) {
            try LZMA2ContextDecoder(dictionary: nil).decompress(parts[0], limit: 1000)
        }
    }
}
