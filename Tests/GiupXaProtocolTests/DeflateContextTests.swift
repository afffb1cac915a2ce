import GiupXaProtocol
import NIOCore
import Testing

/// Compression mode 3: one deflate stream across a connection's messages (PROTOCOL.md §9.3).
@Suite struct DeflateContextTests {
    /// Text-like messages of many sizes, some repeating earlier ones, some random bytes.
    static func messages(count: Int, seed: UInt64) -> [[UInt8]] {
        var random = SplitMix(seed: seed)
        let words = ["Rà soát", "hộ nghèo", "bản", "Keo Lôm", "tập huấn", "cho", "người dân", "xã", "Điện Biên Đông", "kế hoạch", "hỗ trợ"]
        var out: [[UInt8]] = []
        for index in 0..<count {
            switch random.next() % 4 {
            case 0 where index > 0:
                out.append(out[Int(random.next() % UInt64(out.count))])
            case 1:
                out.append((0..<Int(random.next() % 3000)).map { _ in UInt8(truncatingIfNeeded: random.next()) })
            default:
                let length = Int(random.next() % 20_000) + 16
                var text: [UInt8] = []
                while text.count < length { text += Array((words[Int(random.next() % UInt64(words.count))] + " ").utf8) }
                out.append(text)
            }
        }
        return out.filter { $0.count >= ContextDeflater.threshold }
    }

    @Test(arguments: [UInt64(1), 2, 3, 708])
    func everyMessageComesBackInOrder(seed: UInt64) throws {
        for dictionary in [CompressionDictionary?.none, .visits1] {
            let deflater = ContextDeflater(dictionary: dictionary)
            let inflater = ContextInflater(dictionary: dictionary)
            for message in Self.messages(count: 300, seed: seed) {
                let part = try #require(deflater.compress(ByteBuffer(bytes: message)))
                let back = try inflater.decompress(part, limit: 1 << 20)
                #expect(Array(back.readableBytesView) == message)
            }
        }
    }

    /// A SubmitVisits message that once failed to inflate: its 61-byte part drove the output
    /// buffer (first sized 4 × the part) to grow mid-message.
    @Test func aMessageFourTimesLargerThanTwiceItsPartInflates() throws {
        let hex = [
        "0afd030a106eaed2f536e5425db924bb613f4e68ce120530333230381898e0d4e50520f8cee0e5052a270a0d4cc3b220",
        "56c4836e204d696e6812165068c3b3204769c3a16d20c491e1bb91632053e1bb9f2a330a115068e1baa16d205175e1bb",
        "916320487579121e5472c6b0e1bb9f6e67207068c3b26e67204b686fc3a16e672073e1baa36e2a240a135175c3a06e67",
        "2056c4836e205468e1baaf6e67120d43687579c3aa6e207669c3aa6e3258080112544b69e1bb836d20747261206e6775",
        "e1bb936e206ec6b0e1bb9b632073696e6820686fe1baa1742076c3a02076e1bb872073696e68206dc3b469207472c6b0",
        "e1bb9d6e672062e1baa36e204b656f204cc3b46d20323a4d0801124952c3a020736fc3a1742032302068e1bb99206e67",
        "68c3a86f2c2063e1baad70206e68e1baad74207468c3b46e672074696e20746875206e68e1baad702076c3a0206e68c3",
        "a020e1bb9f4a71c490c3a320686fc3a06e207468c3a06e68206be1babf20686fe1baa163683b2032302068e1bb9920c4",
        "91c6b0e1bba3632068e1bb97207472e1bba32068e1bb932073c6a12c2078c3a3207468e1bb916e67206e68e1baa57420",
        "6ce1bb99207472c3ac6e68207469e1babf70207468656f2e523658696e2068e1bb97207472e1bba3206b696e68207068",
        "c3ad2078c3a2792062e1bb83206ec6b0e1bb9b632073696e6820686fe1baa174",
        ].joined()
        let message = stride(from: 0, to: hex.count, by: 2).map { offset -> UInt8 in
            let start = hex.index(hex.startIndex, offsetBy: offset)
            return UInt8(hex[start..<hex.index(start, offsetBy: 2)], radix: 16)!
        }
        let deflater = ContextDeflater(dictionary: .visits1)
        let part = try #require(deflater.compress(ByteBuffer(bytes: message)))
        let back = try ContextInflater(dictionary: .visits1).decompress(part, limit: 16 << 20)
        #expect(Array(back.readableBytesView) == message)
    }

    @Test func laterMessagesCompressAgainstEarlierOnes() throws {
        let message = Array(String(repeating: "Tập huấn ủ phân hữu cơ cho 30 người dân bản Keo Lôm. ", count: 4).utf8)
        let deflater = ContextDeflater(dictionary: nil)
        let first = try #require(deflater.compress(ByteBuffer(bytes: message)))
        let second = try #require(deflater.compress(ByteBuffer(bytes: message)))
        #expect(second.readableBytes < first.readableBytes / 4)
    }

    @Test func aSkippedOrDamagedPartIsRefused() throws {
        let first = Array(String(repeating: "Rà soát hộ nghèo bản Keo Lôm. ", count: 10).utf8)
        let second = Array(String(repeating: "Tập huấn kỹ thuật trồng sắn cho người dân xã Phì Nhừ. ", count: 10).utf8)
        let deflater = ContextDeflater(dictionary: nil)
        // The third message repeats the second: its part is mostly a reference back to it.
        let parts = try [first, second, second].map { try #require(deflater.compress(ByteBuffer(bytes: $0))) }
        // Skipping the second part: the third refers to bytes this receiver never saw.
        let skipping = ContextInflater(dictionary: nil)
        _ = try skipping.decompress(parts[0], limit: 1 << 20)
        let garbled = try? skipping.decompress(parts[2], limit: 1 << 20)
        #expect(garbled.map { Array($0.readableBytesView) } != second)
        // A truncated part does not end at its flush.
        let truncated = ContextInflater(dictionary: nil)
        #expect(throws: Deflate.Failure.corrupt) {
            try truncated.decompress(parts[0].getSlice(at: 0, length: parts[0].readableBytes - 3)!, limit: 1 << 20)
        }
        // Output above the limit stops there.
        let small = ContextInflater(dictionary: nil)
        #expect(throws: Deflate.Failure.tooLarge(limit: 10)) { try small.decompress(parts[0], limit: 10) }
    }
}

/// A small deterministic generator (SplitMix64).
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
