import Foundation
import GiupXaMessages
import GiupXaModels
import GiupXaProtocol
import NIOCore
import SwiftProtobuf
import Testing

/// Replays the kept libFuzzer corpus (Tools/fuzz/corpus/<target>/) through the same code as the
/// fuzz targets, so every input that once reached new code stays covered by `swift test`.
/// Fuzzing itself: Tools/fuzz/run.sh.
@Suite struct FuzzCorpusReplayTests {
    static let corpus = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Tools/fuzz/corpus")

    static func inputs(_ target: String) throws -> [(name: String, bytes: [UInt8])] {
        let folder = corpus.appendingPathComponent(target)
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
        return try names.map { name in
            (name, Array(try Data(contentsOf: folder.appendingPathComponent(name))))
        }
    }

    static func replay(_ target: String, through harness: ([UInt8]) -> [String]) throws {
        let inputs = try inputs(target)
        #expect(!inputs.isEmpty, "no corpus in \(corpus.path)/\(target)")
        for input in inputs {
            let problems = harness(input.bytes)
            #expect(problems.isEmpty, "\(target)/\(input.name): \(problems.joined(separator: "; "))")
        }
    }

    @Test func frameDecoderCorpus() throws {
        try Self.replay("frame-decoder", through: FuzzHarness.frameDecoder)
    }

    @Test func messageDecoderCorpus() throws {
        try Self.replay("message-decoder", through: FuzzHarness.messageDecoder)
    }

    @Test func contextStreamCorpus() throws {
        try Self.replay("context-stream", through: FuzzHarness.contextStream)
    }

    @Test func bundleCorpus() throws {
        try Self.replay("bundle", through: FuzzHarness.bundle)
    }

    /// The harness appends its own SHA-256 to reach the bundle parser; check it against FIPS 180-4.
    @Test func harnessSHA256() {
        func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }
        #expect(hex(FuzzHarness.SHA256Digest.hash([])) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(hex(FuzzHarness.SHA256Digest.hash(Array("abc".utf8))) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(hex(FuzzHarness.SHA256Digest.hash(Array(repeating: 0x61, count: 1000)))
            == "41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3")
    }

    /// Guards against a corpus that only exercises refusals: some inputs must get all the way through.
    @Test func corpusReachesTheSuccessPaths() throws {
        let bundles = try Self.inputs("bundle").compactMap { FuzzHarness.bundleFile($0.bytes) }
            .compactMap { try? VisitBundle.decodeWithoutVerifying($0) }
        #expect(bundles.contains { $0.0.formatVersion == 1 })
        #expect(bundles.contains { $0.0.formatVersion == 2 })
        let requests = try Self.inputs("frame-decoder").filter { input in
            var buffer = ByteBuffer(bytes: input.bytes.dropFirst())
            var decoder = FrameDecoder(expectPreamble: true)
            while let event = try? decoder.decode(buffer: &buffer) {
                if case .frame(let frame) = event, frame.type == .request,
                   let request = try? MessageCodec.openRequest(frame, limits: .default), request.method == .submitVisits {
                    return true
                }
            }
            return false
        }
        #expect(!requests.isEmpty)
        // context-stream needs no such check: its harness sends every input's parts through the
        // matching encoder and decodes them again, so any input with a part reaches a decoder's success path.
    }
}

// BEGIN FuzzHarness
/// Feeds fuzz inputs through the decoders. Every function returns the problems it found; an
/// empty array means the input was handled (accepted, or refused with one of the typed errors
/// ProtocolViolation / RPCError / Deflate.Failure / VisitBundle.Failure / ValidationError).
/// The fuzz targets trap on a non-empty result; the replay test expects it to be empty.
public enum FuzzHarness {
    /// Small message limit so a deflate bomb costs at most 64 KiB per execution.
    static let limits: ProtocolLimits = {
        var limits = ProtocolLimits.default
        limits.maxMessageBytes = 64 << 10
        return limits
    }()
    /// Fixed clock: validation results must not depend on the day the corpus is replayed.
    static let now = Date(timeIntervalSince1970: 1_750_000_000)

    // MARK: frame-decoder

    /// Byte 0 picks the chunk size (0 = the whole stream at once, n = n bytes at a time); the rest
    /// is what a server reads after accepting a connection. The stream is decoded whole and in
    /// chunks (the results must agree), every decoded frame must re-encode to the bytes it was
    /// read from, and each frame is opened as the server or client would open it.
    public static func frameDecoder(_ input: [UInt8]) -> [String] {
        guard let selector = input.first else { return [] }
        let stream = Array(input.dropFirst())
        var problems: [String] = []
        let whole = decodeStream(stream, chunk: max(stream.count, 1), problems: &problems)
        if selector != 0 && Int(selector) < stream.count {
            let chunked = decodeStream(stream, chunk: Int(selector), problems: &problems)
            if chunked != whole { problems.append("chunks of \(selector) bytes give \(chunked), whole stream gives \(whole)") }
        }
        for event in whole.events {
            if case .frame(let frame) = event { problems += open(frame) }
        }
        return problems
    }

    struct Decoded: Equatable, CustomStringConvertible {
        var events: [WireEvent] = []
        var error: ProtocolViolation?
        var leftover = 0
        var description: String { "\(events.count) events, error \(error.map { "\($0)" } ?? "none"), \(leftover) bytes left" }
    }

    static func decodeStream(_ stream: [UInt8], chunk: Int, problems: inout [String]) -> Decoded {
        var decoder = FrameDecoder(expectPreamble: true)
        var buffer = ByteBuffer()
        var result = Decoded()
        var offset = 0
        var eof = false
        while !eof {
            let end = min(offset + chunk, stream.count)
            buffer.writeBytes(stream[offset..<end])
            offset = end
            eof = offset == stream.count
            do {
                while true {
                    let snapshot = buffer  // get*(at:) only reads the readable part; keep the bytes before decoding
                    let before = buffer.readerIndex
                    let next = eof ? try decoder.decodeLast(buffer: &buffer, seenEOF: true) : try decoder.decode(buffer: &buffer)
                    guard let event = next else {
                        if buffer.readerIndex != before { problems.append("decoder returned nil but consumed \(buffer.readerIndex - before) bytes") }
                        break
                    }
                    var rewritten = ByteBuffer()
                    switch event {
                    case .preamble(let preamble): preamble.write(to: &rewritten)
                    case .frame(let frame): frame.write(to: &rewritten)
                    }
                    if snapshot.getSlice(at: before, length: buffer.readerIndex - before) != rewritten {
                        problems.append("\(event) does not re-encode to the \(buffer.readerIndex - before) bytes it was decoded from")
                    }
                    result.events.append(event)
                }
            } catch let violation as ProtocolViolation {
                result.error = violation
                return result
            } catch {
                problems.append("FrameDecoder threw an untyped error: \(error)")
                return result
            }
        }
        result.leftover = buffer.readableBytes
        return result
    }

    /// Opens a frame as its receiver does: REQUEST through openRequest, RESPONSE through
    /// openMessage, STATUS/GOAWAY/HELLO as their messages; then decodes what came out.
    static func open(_ frame: Frame) -> [String] {
        var problems: [String] = []
        do throws(RPCError) {
            switch frame.type {
            case .request:
                let request = try MessageCodec.openRequest(frame, limits: limits)
                problems += checkSize(request.message)
                problems += decodeMessages(request.message)
            case .response:
                let message = try MessageCodec.openMessage(frame.body, compression: frame.flags.compression, limits: limits)
                problems += checkSize(message)
                problems += decodeMessages(message)
            case .status:
                let status = try MessageCodec.decode(Giupxa_V1_Status.self, from: frame.body)
                _ = RPCError(status).description
            case .goAway:
                let goAway = try MessageCodec.decode(Giupxa_V1_GoAway.self, from: frame.body)
                _ = RPCError(goAway.status).code.isRetryable
            case .hello:
                _ = try MessageCodec.decode(Giupxa_V1_ClientHello.self, from: frame.body)
                _ = try MessageCodec.decode(Giupxa_V1_ServerHello.self, from: frame.body)
            case .cancel, .ping, .pong:
                break
            }
        } catch {
            // RPCError is the expected refusal (typed throws: nothing else can arrive here).
            _ = error.description
        }
        return problems
    }

    static func checkSize(_ message: ByteBuffer) -> [String] {
        message.readableBytes > limits.maxMessageBytes
            ? ["message of \(message.readableBytes) bytes passed the \(limits.maxMessageBytes)-byte limit"] : []
    }

    // MARK: message-decoder

    /// The input as every v1 message; then, if it inflates as raw deflate, the inflated bytes too.
    /// Also: deflating the input and inflating it again gives the input back.
    public static func messageDecoder(_ input: [UInt8]) -> [String] {
        let buffer = ByteBuffer(bytes: input)
        var problems = decodeMessages(buffer)
        do throws(Deflate.Failure) {
            let inflated = try Deflate.decompress(buffer, limit: 1 << 16)
            problems += inflated.readableBytes > 1 << 16 ? ["inflated \(inflated.readableBytes) bytes past the limit"] : []
            problems += decodeMessages(inflated)
        } catch {
            _ = error
        }
        if let compressed = Deflate.compressIfSmaller(buffer) {
            if compressed.readableBytes >= buffer.readableBytes { problems.append("compressIfSmaller returned a larger form") }
            do throws(Deflate.Failure) {
                let back = try Deflate.decompress(compressed, limit: buffer.readableBytes)
                if back != buffer { problems.append("deflate round trip changed the bytes") }
            } catch {
                problems.append("deflate round trip failed: \(error)")
            }
        }
        return problems
    }

    static func decodeMessages(_ buffer: ByteBuffer) -> [String] {
        var problems: [String] = []
        func attempt<M: SwiftProtobuf.Message>(_ type: M.Type, then use: (M) -> Void = { _ in }) {
            do throws(RPCError) {
                use(try MessageCodec.decode(type, from: buffer))
            } catch {
                if error.code != .invalidArgument { problems.append("decode(\(M.protoMessageName)) failed with \(error.code)") }
            }
        }
        attempt(Giupxa_V1_ClientHello.self)
        attempt(Giupxa_V1_ServerHello.self)
        attempt(Giupxa_V1_CallMetadata.self)
        attempt(Giupxa_V1_Status.self) { _ = RPCError($0).description }
        attempt(Giupxa_V1_GoAway.self) { _ = RPCError($0.status).description }
        attempt(Giupxa_V1_ListAssignmentsRequest.self) { _ = CivilDate(yyyymmdd: Int($0.onDay)) }
        attempt(Giupxa_V1_ListAssignmentsResponse.self)
        attempt(Giupxa_V1_SubmitVisitsRequest.self) { problems += checkVisits($0.visits) }
        attempt(Giupxa_V1_SubmitVisitsResponse.self)
        attempt(Giupxa_V1_ListVisitsRequest.self)
        attempt(Giupxa_V1_ListVisitsResponse.self) { response in
            for stored in response.visits {
                do throws(ValidationError) { _ = try stored.toModel() } catch { _ = error.issues }
            }
        }
        attempt(Giupxa_V1_AmendVisitsRequest.self) { problems += checkVisits($0.amendments.map(\.visit)) }
        attempt(Giupxa_V1_AmendVisitsResponse.self)
        attempt(Giupxa_V1_BundleHeader.self)
        return problems
    }

    /// What the server does with submitted visits: map to the model, then validate.
    static func checkVisits(_ visits: [Giupxa_V1_Visit]) -> [String] {
        let validator = VisitValidator()
        for wire in visits {
            do throws(ValidationError) {
                let visit = try wire.toModel(agencyCode: "STNMT")
                _ = validator.issues(in: visit, now: now)
            } catch {
                _ = error.issues
            }
        }
        return []
    }

    // MARK: context-stream

    /// A connection's mode-3 stream (PROTOCOL.md §9.3, §9.4) as the server reads it. Byte 0: bit 0
    /// picks the codec (0 deflate, 1 LZMA2), bit 1 primes it with dictionary 1. The rest is the
    /// REQUEST message parts, each a 2-byte big-endian length then its bytes (the last one cut
    /// short if the input ends). Parts are decompressed in order until one fails, as the server
    /// does; every output must stay under the limit. Each part is also sent through the
    /// matching encoder, and a fresh decoder must give every one back unchanged.
    public static func contextStream(_ input: [UInt8]) -> [String] {
        guard let selector = input.first else { return [] }
        let lzma2 = selector & 1 == 1
        let dictionary: CompressionDictionary? = selector & 2 == 2 ? .visits1 : nil
        var parts: [ByteBuffer] = []
        var offset = 1
        while offset + 2 <= input.count {
            let length = Int(input[offset]) << 8 | Int(input[offset + 1])
            let end = min(offset + 2 + length, input.count)
            parts.append(ByteBuffer(bytes: input[(offset + 2)..<end]))
            offset = end
        }
        func decoder() -> any ContextDecompressor {
            lzma2 ? LZMA2ContextDecoder(dictionary: dictionary) : ContextInflater(dictionary: dictionary)
        }
        var problems: [String] = []
        let reading = decoder()
        for part in parts {
            do throws(Deflate.Failure) {
                let message = try reading.decompress(part, limit: limits.maxMessageBytes, allocator: ByteBufferAllocator())
                problems += checkSize(message)
            } catch {
                _ = error
                break
            }
        }
        let deflater = ContextDeflater(dictionary: dictionary)
        let encoder = LZMA2ContextEncoder(dictionary: dictionary)
        let roundTrip = decoder()
        // As RequestCompressor does: the deflate stream only takes messages of its threshold and more.
        for part in parts where lzma2 || part.readableBytes >= ContextDeflater.threshold {
            guard let compressed = lzma2 ? encoder.compress(part) : deflater.compress(part) else {
                problems.append("the \(lzma2 ? "LZMA2" : "deflate") encoder failed on \(part.readableBytes) bytes")
                break
            }
            do throws(Deflate.Failure) {
                let back = try roundTrip.decompress(compressed, limit: limits.maxMessageBytes, allocator: ByteBufferAllocator())
                if back != part { problems.append("a \(part.readableBytes)-byte part came back changed") }
            } catch {
                problems.append("a \(part.readableBytes)-byte part of the encoder's own stream failed: \(error)")
                break
            }
        }
        return problems
    }

    // MARK: bundle

    /// Byte 0 even: the rest is a bundle file as read from disk. Odd: the rest is a bundle
    /// without its trailer, which is appended here so the fuzzer reaches the parser behind it:
    /// format 1's SHA-256, or 64 zero bytes for format 2's signature. The structure and visits
    /// are read without the credential lookup (`VisitBundle.read`, then `visits`); the
    /// signature is checked against a key that did not make it and must never verify.
    public static func bundle(_ input: [UInt8]) -> [String] {
        guard let file = bundleFile(input) else { return [] }
        var problems: [String] = []
        do throws(VisitBundle.Failure) {
            let envelope = try VisitBundle.read(file)
            let trailer = envelope.format == .signed ? VisitBundle.signatureSize : 32
            if envelope.signedBytes != Array(file.dropLast(trailer)) { problems.append("the signed bytes are not all the bytes before the trailer") }
            if envelope.format == .signed {
                do throws(VisitBundle.Failure) {
                    try envelope.verifySignature(bundlePublicKey: envelope.credentialPublicKey)
                    problems.append("a signature verified under a key that did not make it")
                } catch {
                    if error != .badSignature { problems.append("verifySignature failed with \(error)") }
                }
            }
            let request = try envelope.visits(limits: limits)
            if request.visits.count != Int(envelope.header.visitCount) { problems.append("visit count not checked") }
            problems += checkVisits(request.visits)
        } catch {
            _ = error.message(.vi)
        }
        return problems
    }

    /// The bundle file an input stands for (see `bundle`); nil for an empty input.
    public static func bundleFile(_ input: [UInt8]) -> [UInt8]? {
        guard let selector = input.first else { return nil }
        var file = Array(input.dropFirst())
        if selector & 1 == 1 {
            file += file.starts(with: VisitBundle.magic) ? [UInt8](repeating: 0, count: VisitBundle.signatureSize) : SHA256Digest.hash(file)
        }
        return file
    }

    /// SHA-256 (FIPS 180-4) in plain Swift, because the test target does not depend on Crypto.
    enum SHA256Digest {
        static let k: [UInt32] = [
            0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
            0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
            0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
            0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
            0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
            0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
            0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
            0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
        ]

        static func hash(_ message: [UInt8]) -> [UInt8] {
            var h: [UInt32] = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]
            var padded = message + [0x80]
            while padded.count % 64 != 56 { padded.append(0) }
            let bits = UInt64(message.count) &* 8
            for shift in stride(from: 56, through: 0, by: -8) { padded.append(UInt8(truncatingIfNeeded: bits >> UInt64(shift))) }
            func rotr(_ x: UInt32, _ n: UInt32) -> UInt32 { (x >> n) | (x << (32 - n)) }
            var w = [UInt32](repeating: 0, count: 64)
            for block in stride(from: 0, to: padded.count, by: 64) {
                for i in 0..<16 {
                    w[i] = padded[block + 4 * i..<block + 4 * i + 4].reduce(0) { $0 << 8 | UInt32($1) }
                }
                for i in 16..<64 {
                    let s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >> 3)
                    let s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >> 10)
                    w[i] = w[i - 16] &+ s0 &+ w[i - 7] &+ s1
                }
                var (a, b, c, d, e, f, g, hh) = (h[0], h[1], h[2], h[3], h[4], h[5], h[6], h[7])
                for i in 0..<64 {
                    let t1 = hh &+ (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) &+ ((e & f) ^ (~e & g)) &+ k[i] &+ w[i]
                    let t2 = (rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) &+ ((a & b) ^ (a & c) ^ (b & c))
                    (hh, g, f, e, d, c, b, a) = (g, f, e, d &+ t1, c, b, a, t1 &+ t2)
                }
                for (i, v) in [a, b, c, d, e, f, g, hh].enumerated() { h[i] = h[i] &+ v }
            }
            return h.flatMap { v in [24, 16, 8, 0].map { UInt8(truncatingIfNeeded: v >> UInt32($0)) } }
        }
    }
}
// END FuzzHarness
