import Crypto
import Foundation
import GiupXaMessages
import GiupXaModels
import GiupXaProtocol
import NIOCore
import SwiftProtobuf

// Shared by the libFuzzer targets (Tools/fuzz) and the replay of their kept corpora
// (Tests/GiupXaProtocolTests/FuzzCorpusReplayTests.swift).

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
            file += file.starts(with: VisitBundle.magic) ? [UInt8](repeating: 0, count: VisitBundle.signatureSize) : Array(SHA256.hash(data: file))
        }
        return file
    }
}
