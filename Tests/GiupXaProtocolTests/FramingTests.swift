import GiupXaProtocol
import NIOCore
import NIOTestUtils
import Testing

@Suite struct VarintTests {
    @Test(arguments: [UInt32(0), 1, 127, 128, 300, 16_383, 16_384, 2_097_151, 2_097_152, 268_435_455, 268_435_456, .max])
    func roundTripsMinimally(_ value: UInt32) {
        var buffer = ByteBuffer()
        let written = Varint.write(value, to: &buffer)
        #expect(written == Varint.size(value))
        #expect(Varint.read(from: &buffer) == .value(value))
        #expect(buffer.readableBytes == 0)
    }

    @Test func rejectsNonMinimalOverlongAndOverflowingForms() {
        for bytes: [UInt8] in [[0x80, 0x00], [0xFF, 0x80, 0x00], [0x80, 0x80, 0x80, 0x80, 0x80, 0x01], [0xFF, 0xFF, 0xFF, 0xFF, 0x1F]] {
            var buffer = ByteBuffer(bytes: bytes)
            #expect(Varint.read(from: &buffer) == .malformed, "\(bytes)")
        }
        var partial = ByteBuffer(bytes: [0x80, 0x80])
        #expect(Varint.read(from: &partial) == .incomplete)
        #expect(partial.readerIndex == 0)
    }
}

@Suite struct FrameDecoderTests {
    static func sampleFrames() -> [Frame] {
        [
            Frame(type: .hello, callID: 0, body: ByteBuffer(bytes: [0x0A, 0x02, 0x67, 0x78])),
            Frame(type: .request, flags: .metadata, callID: 1, body: ByteBuffer(bytes: Array(repeating: 0x41, count: 300))),
            Frame(type: .cancel, callID: 200, body: ByteBuffer()),
            Frame(type: .ping, callID: 0, body: ByteBuffer(bytes: [1, 2, 3, 4, 5, 6, 7, 8])),
        ]
    }

    @Test func decodesFramesFedByteByByteAndInBatches() throws {
        let frames = Self.sampleFrames()
        var stream = ByteBuffer()
        for frame in frames { frame.write(to: &stream) }
        // The verifier drips the input one byte at a time, then all at once, and checks that
        // partial frames consume nothing. It reuses one decoder across runs, so the preamble
        // (read once per connection) is checked separately below.
        try ByteToMessageDecoderVerifier.verifyDecoder(
            inputOutputPairs: [(stream, frames.map { .frame($0) })],
            decoderFactory: { FrameDecoder(expectPreamble: false) })
    }

    @Test func preambleThenFramesDripFed() throws {
        var stream = ByteBuffer()
        Preamble(minVersion: 1, maxVersion: 3).write(to: &stream)
        for frame in Self.sampleFrames() { frame.write(to: &stream) }
        var decoder = FrameDecoder(expectPreamble: true)
        var pending = ByteBuffer()
        var events: [WireEvent] = []
        for byte in stream.readableBytesView {
            pending.writeInteger(byte)
            while let event = try decoder.decode(buffer: &pending) { events.append(event) }
        }
        #expect(events == [.preamble(Preamble(minVersion: 1, maxVersion: 3))] + Self.sampleFrames().map { .frame($0) })
        #expect(pending.readableBytes == 0)
    }

    @Test func refusesAnOversizedFrameFromItsLengthAlone() {
        var limits = ProtocolLimits()
        limits.maxFrameBytes = 1024
        var decoder = FrameDecoder(expectPreamble: false, limits: limits)
        // Header and length only: the 1 MiB body is never sent, and need not be.
        var buffer = ByteBuffer(bytes: [0x10, 0x01])
        Varint.write(1 << 20, to: &buffer)
        #expect(throws: ProtocolViolation.frameTooLarge(length: 1 << 20, limit: 1024)) { try decoder.decode(buffer: &buffer) }
    }

    @Test func helloHasItsOwnSmallerLimit() {
        var decoder = FrameDecoder(expectPreamble: false)
        var buffer = ByteBuffer(bytes: [0x00, 0x00])
        Varint.write(UInt32(ProtocolLimits.default.maxHelloBytes + 1), to: &buffer)
        #expect(throws: ProtocolViolation.self) { try decoder.decode(buffer: &buffer) }
    }

    @Test func refusesUnknownTypesReservedFlagsAndBadPreambles() {
        var decoder = FrameDecoder(expectPreamble: false)
        var unknown = ByteBuffer(bytes: [0x80, 0x01, 0x00])
        #expect(throws: ProtocolViolation.unknownFrameType(8)) { try decoder.decode(buffer: &unknown) }
        var reserved = ByteBuffer(bytes: [0x18, 0x01, 0x00])
        #expect(throws: ProtocolViolation.reservedFlags) { try decoder.decode(buffer: &reserved) }
        var server = FrameDecoder(expectPreamble: true)
        var http = ByteBuffer(string: "GET / HTTP/1.1\r\n")
        #expect(throws: ProtocolViolation.badPreamble) { try server.decode(buffer: &http) }
    }
}

@Suite struct DeflateTests {
    @Test func compressesOnlyWhenItPays() throws {
        let text = ByteBuffer(string: String(repeating: "Rà soát hộ nghèo bản Keo Lôm. ", count: 20))
        let compressed = try #require(Deflate.compressIfSmaller(text))
        #expect(compressed.readableBytes < text.readableBytes / 4)
        #expect(try Deflate.decompress(compressed, limit: 1 << 20) == text)
        // Too short to bother, and incompressible input: sent as is.
        #expect(Deflate.compressIfSmaller(ByteBuffer(string: "ngắn")) == nil)
        var random = SystemRandomNumberGenerator()
        let noise = ByteBuffer(bytes: (0..<512).map { _ in UInt8.random(in: 0...255, using: &random) })
        #expect(Deflate.compressIfSmaller(noise) == nil)
    }

    @Test func aBombStopsAtTheLimitWithoutAllocatingIt() throws {
        let zeros = ByteBuffer(repeating: 0, count: 8 << 20)
        let bomb = try #require(Deflate.compressIfSmaller(zeros))
        #expect(bomb.readableBytes < 10_000)
        #expect(throws: Deflate.Failure.tooLarge(limit: 1 << 20)) { try Deflate.decompress(bomb, limit: 1 << 20) }
        #expect(try Deflate.decompress(bomb, limit: 8 << 20).readableBytes == 8 << 20)
    }

    @Test func corruptTruncatedOrTrailingDataIsRefused() throws {
        let text = ByteBuffer(string: String(repeating: "Chiềng Sơ, Phì Nhừ, Keo Lôm; ", count: 10))
        let compressed = try #require(Deflate.compressIfSmaller(text))
        #expect(throws: Deflate.Failure.corrupt) { try Deflate.decompress(compressed.getSlice(at: 0, length: compressed.readableBytes - 3)!, limit: 1 << 20) }
        var trailing = compressed
        trailing.writeBytes([1, 2, 3])
        #expect(throws: Deflate.Failure.corrupt) { try Deflate.decompress(trailing, limit: 1 << 20) }
        #expect(throws: Deflate.Failure.corrupt) { try Deflate.decompress(ByteBuffer(bytes: [0xFF, 0xFF, 0xFF, 0xFF]), limit: 1 << 20) }
    }
}
