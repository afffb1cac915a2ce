import Foundation
import GiupXaMessages
import GiupXaModels
import GiupXaProtocol
import NIOCore
import SwiftProtobuf
import Testing

/// Protocol/test-vectors.json: frames as hex with their meaning. Each vector is decoded from
/// its hex and compared with its stated meaning, then rebuilt from that meaning and compared
/// byte for byte. `GIUPXA_WRITE_VECTORS=1 swift test --filter TestVectorTests` rewrites the
/// file from `Vectors.all` after a deliberate protocol change.
@Suite struct TestVectorTests {
    static let file = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Protocol/test-vectors.json")

    @Test func vectorsDecodeToTheirMeaningAndReencodeByteForByte() throws {
        if ProcessInfo.processInfo.environment["GIUPXA_WRITE_VECTORS"] == "1" {
            try Vectors.write(to: Self.file)
        }
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        let vectors = try decoder.decode([Vector].self, from: Data(contentsOf: Self.file))
        #expect(vectors.count >= 10)
        for vector in vectors {
            let bytes = try #require(Hex.decode(vector.hex), "\(vector.name): bad hex")
            // Decode: the hex means what the vector says.
            var decoder = FrameDecoder(expectPreamble: vector.preamble != nil)
            var buffer = ByteBuffer(bytes: bytes)
            var events: [WireEvent] = []
            while let event = try decoder.decode(buffer: &buffer) { events.append(event) }
            #expect(buffer.readableBytes == 0, "\(vector.name): trailing bytes")
            var frames = events[...]
            if let preamble = vector.preamble {
                #expect(frames.popFirst() == .preamble(Preamble(minVersion: preamble.minVersion, maxVersion: preamble.maxVersion)), "\(vector.name)")
            }
            #expect(frames.count == vector.frames.count, "\(vector.name)")
            // Mode 3 (§9.3, §9.4): one stream per vector, as per connection.
            let dictionary = try vector.dictionary()
            let receiving = VectorStreams()
            for (event, expected) in zip(frames, vector.frames) {
                guard case .frame(let frame) = event else { Issue.record("\(vector.name): not a frame"); continue }
                #expect(frame.type == FrameType(name: expected.type), "\(vector.name)")
                #expect(frame.flags.rawValue == expected.flags, "\(vector.name)")
                #expect(frame.callID == expected.callID, "\(vector.name)")
                try expected.check(frame, vector: vector.name, streams: receiving, dictionary: dictionary)
            }
            // Encode: the meaning produces exactly the hex.
            var rebuilt = ByteBuffer()
            if let preamble = vector.preamble {
                Preamble(minVersion: preamble.minVersion, maxVersion: preamble.maxVersion).write(to: &rebuilt)
            }
            let sending = VectorStreams()
            for expected in vector.frames { try expected.build(streams: sending, dictionary: dictionary).write(to: &rebuilt) }
            #expect(Hex.encode(Array(rebuilt.readableBytesView)) == vector.hex, "\(vector.name): re-encoding differs")
        }
    }
}

struct Vector: Codable {
    var name: String
    var description: String
    var direction: String
    var hex: String
    var preamble: PreambleMeaning?
    /// An agency dictionary's visits (§9.5), oldest first, as protobuf JSON: the vector's frames
    /// in mode 2 use dictionary 1 extended by them.
    var agencyVisits: [String]?
    var frames: [FrameMeaning]

    /// The dictionary this vector's mode-2 frames use.
    func dictionary() throws -> CompressionDictionary {
        guard let agencyVisits else { return .visits1 }
        let messages = try agencyVisits.map { try Giupxa_V1_Visit(jsonString: $0).serializedBytes() as [UInt8] }
        return AgencyDictionary(messages: messages).extending(.visits1)
    }

    struct PreambleMeaning: Codable {
        var minVersion: UInt8
        var maxVersion: UInt8
    }
}

/// Both ends of both mode-3 codecs, primed with dictionary 1, fresh for each vector.
final class VectorStreams {
    let deflater = ContextDeflater(dictionary: .visits1)
    let inflater = ContextInflater(dictionary: .visits1)
    let lzma2Encoder = LZMA2ContextEncoder(dictionary: .visits1)
    let lzma2Decoder = LZMA2ContextDecoder(dictionary: .visits1)

    func decompress(_ part: ByteBuffer, codec: String?) throws -> ByteBuffer {
        codec == "lzma2-context-1" ? try lzma2Decoder.decompress(part, limit: 1 << 20) : try inflater.decompress(part, limit: 1 << 20)
    }

    func compress(_ message: ByteBuffer, codec: String?) -> ByteBuffer? {
        codec == "lzma2-context-1" ? lzma2Encoder.compress(message) : deflater.compress(message)
    }
}

/// What a frame means: its header fields and its message in protobuf JSON.
struct FrameMeaning: Codable {
    var type: String
    var flags: UInt8
    var callID: UInt32
    var method: UInt32?
    var metadata: String?
    var compression: String?
    var messageType: String?
    var message: String?
    /// Raw body for frames without a message (PING, CANCEL).
    var bodyHex: String?

    enum CodingKeys: String, CodingKey {
        case type, flags, method, metadata, compression, message
        case callID = "callId"
        case messageType, bodyHex
    }

    static let types: [String: any SwiftProtobuf.Message.Type] = [
        "giupxa.v1.ClientHello": Giupxa_V1_ClientHello.self,
        "giupxa.v1.ServerHello": Giupxa_V1_ServerHello.self,
        "giupxa.v1.Status": Giupxa_V1_Status.self,
        "giupxa.v1.GoAway": Giupxa_V1_GoAway.self,
        "giupxa.v1.ListAssignmentsRequest": Giupxa_V1_ListAssignmentsRequest.self,
        "giupxa.v1.ListAssignmentsResponse": Giupxa_V1_ListAssignmentsResponse.self,
        "giupxa.v1.SubmitVisitsRequest": Giupxa_V1_SubmitVisitsRequest.self,
        "giupxa.v1.SubmitVisitsResponse": Giupxa_V1_SubmitVisitsResponse.self,
        "giupxa.v1.ListVisitsRequest": Giupxa_V1_ListVisitsRequest.self,
        "giupxa.v1.ListVisitsResponse": Giupxa_V1_ListVisitsResponse.self,
        "giupxa.v1.AmendVisitsResponse": Giupxa_V1_AmendVisitsResponse.self,
    ]

    func decodedMessage() throws -> (any SwiftProtobuf.Message)? {
        guard let messageType, let message else { return nil }
        let type = try #require(Self.types[messageType], "unknown message type \(messageType)")
        return try type.init(jsonString: message)
    }

    func check(_ frame: Frame, vector: String, streams: VectorStreams, dictionary: CompressionDictionary) throws {
        if let bodyHex {
            #expect(Hex.encode(Array(frame.body.readableBytesView)) == bodyHex, "\(vector)")
            return
        }
        let expected = try #require(try decodedMessage(), "\(vector): no message")
        var payload = frame.body
        if frame.type == .request {
            var frame = frame
            if frame.flags.compression == .contextStream {
                let (offset, part) = try #require(MessageCodec.messagePart(ofRequest: frame))
                frame = MessageCodec.replacingMessage(of: frame, at: offset, with: try streams.decompress(part, codec: compression), compression: .none)
            }
            let request = try MessageCodec.openRequest(frame, limits: .default, dictionary: dictionary)
            #expect(request.methodNumber == method, "\(vector)")
            if let metadata {
                #expect(request.metadata == (try Giupxa_V1_CallMetadata(jsonString: metadata)), "\(vector)")
            }
            payload = request.message
        } else {
            payload = try MessageCodec.openMessage(payload, compression: frame.flags.compression, limits: .default, dictionary: dictionary)
        }
        let actual = try Swift.type(of: expected).init(serializedBytes: Array(payload.readableBytesView))
        #expect(actual.isEqualTo(message: expected), "\(vector): message differs")
    }

    func build(streams: VectorStreams, dictionary: CompressionDictionary) throws -> Frame {
        let type = try #require(FrameType(name: self.type))
        if let bodyHex {
            return Frame(type: type, flags: FrameFlags(rawValue: flags), callID: callID, body: ByteBuffer(bytes: try #require(Hex.decode(bodyHex))))
        }
        let message = try #require(try decodedMessage())
        switch type {
        case .request:
            let metadata = try self.metadata.map { try Giupxa_V1_CallMetadata(jsonString: $0) }
            let method = try #require(Method(rawValue: method ?? 0))
            if compression == "deflate-context-1" || compression == "lzma2-context-1" {
                return try Vectors.contextRequest(callID: callID, method: method, metadata: metadata, message: message) {
                    streams.compress($0, codec: compression)
                }
            }
            return MessageCodec.request(
                callID: callID, method: method, metadata: metadata, message: message,
                dictionary: compression == "deflate-dictionary-1" || compression == "deflate-agency-dictionary-1" ? dictionary : nil)
        case .response:
            return MessageCodec.response(callID: callID, message: message)
        default:
            return Frame(type: type, flags: FrameFlags(rawValue: flags), callID: callID, body: MessageCodec.serialize(message))
        }
    }
}

extension FrameType {
    static let names: [FrameType: String] = [
        .hello: "HELLO", .request: "REQUEST", .response: "RESPONSE", .status: "STATUS",
        .cancel: "CANCEL", .ping: "PING", .pong: "PONG", .goAway: "GOAWAY",
    ]
    init?(name: String) {
        guard let match = Self.names.first(where: { $0.value == name }) else { return nil }
        self = match.key
    }
    var name: String { Self.names[self]! }
}

enum Hex {
    static func encode(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }
    static func decode(_ text: String) -> [UInt8]? {
        let chars = Array(text.utf8)
        guard chars.count % 2 == 0 else { return nil }
        return stride(from: 0, to: chars.count, by: 2).compactMap { UInt8(String(decoding: chars[$0..<$0 + 2], as: UTF8.self), radix: 16) }
    }
}
