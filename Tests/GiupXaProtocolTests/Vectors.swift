import Foundation
import GiupXaMessages
import GiupXaModels
import GiupXaProtocol
import NIOCore
import SwiftProtobuf

/// The source of Protocol/test-vectors.json (see TestVectorTests).
enum Vectors {
    /// `stream` names a mode-3 frame's codec ("lzma2-context-1"), which its flags do not tell.
    static func frame(
        _ frame: Frame, method: Method? = nil, metadata: Giupxa_V1_CallMetadata? = nil, message: (any SwiftProtobuf.Message)? = nil,
        stream: String? = nil
    ) -> FrameMeaning {
        let options = JSONEncodingOptions()
        return FrameMeaning(
            type: frame.type.name, flags: frame.flags.rawValue, callID: frame.callID, method: method?.rawValue,
            metadata: try! metadata?.jsonString(options: options),
            compression: message == nil ? nil : stream ?? compressionNames[frame.flags.compression],
            messageType: message.map { type(of: $0).protoMessageName },
            message: try! message?.jsonString(options: options),
            bodyHex: message == nil ? Hex.encode(Array(frame.body.readableBytesView)) : nil)
    }

    static func withCompression(_ name: String, _ meaning: FrameMeaning) -> FrameMeaning {
        var meaning = meaning
        meaning.compression = name
        return meaning
    }

    static let compressionNames: [FrameFlags.Compression: String] = [
        .none: "none", .deflateRaw: "deflate-raw", .deflateDictionary: "deflate-dictionary-1", .contextStream: "deflate-context-1",
    ]

    /// A REQUEST whose message is the next piece of a mode-3 stream (§9.3, §9.4).
    static func contextRequest(
        callID: UInt32, method: Method, metadata: Giupxa_V1_CallMetadata?, message: any SwiftProtobuf.Message,
        stream: (ByteBuffer) -> ByteBuffer?
    ) throws -> Frame {
        let plain = MessageCodec.request(callID: callID, method: method, metadata: metadata, message: message, compress: false)
        let (offset, message) = MessageCodec.messagePart(ofRequest: plain)!
        let part = stream(message)!
        return MessageCodec.replacingMessage(of: plain, at: offset, with: part, compression: .contextStream)
    }

    static func vector(
        _ name: String, _ description: String, _ direction: String, preamble: Bool = false, agencyVisits: [Giupxa_V1_Visit]? = nil,
        _ frames: [(Frame, FrameMeaning)]
    ) -> Vector {
        var buffer = ByteBuffer()
        if preamble { Preamble().write(to: &buffer) }
        for (frame, _) in frames { frame.write(to: &buffer) }
        return Vector(
            name: name, description: description, direction: direction, hex: Hex.encode(Array(buffer.readableBytesView)),
            preamble: preamble ? .init(minVersion: 1, maxVersion: 1) : nil,
            agencyVisits: agencyVisits.map { $0.map { try! $0.jsonString() } }, frames: frames.map(\.1))
    }

    static var all: [Vector] {
        var hello = Giupxa_V1_ClientHello()
        hello.clientName = "giupxa/0.1"
        hello.credential.agencyCode = "STNMT"
        // A real-format credential (§12.1): the one of secure-vectors.json, so a v1 HELLO here
        // is exactly as long as a real client's.
        hello.credential.secret = credential
        hello.language = "vi"
        let helloFrame = MessageCodec.clientHello(hello)

        var metadata = Giupxa_V1_CallMetadata()
        metadata.timeoutMs = 120_000
        let listAssignments = Giupxa_V1_ListAssignmentsRequest()
        let listFrame = MessageCodec.request(callID: 1, method: .listAssignments, metadata: metadata, message: listAssignments)

        var server = Giupxa_V1_ServerHello()
        server.version = 1
        server.serverName = "giupxa-server/0.1"
        server.agencyCode = "STNMT"
        server.agencyName = "Sở Tài nguyên và Môi trường"
        server.serverTimeMs = 1_552_352_400_000
        let limits = ProtocolLimits.default
        server.limits.maxFrameBytes = UInt32(limits.maxFrameBytes)
        server.limits.maxMessageBytes = UInt32(limits.maxMessageBytes)
        server.limits.maxVisitsPerBatch = UInt32(limits.maxVisitsPerBatch)
        server.limits.maxConcurrentCalls = UInt32(limits.maxConcurrentCalls)
        let serverFrame = MessageCodec.serverHello(server)

        var submit = Giupxa_V1_SubmitVisitsRequest()
        submit.visits = [Giupxa_V1_Visit(Sample.visit)]
        let submitFrame = MessageCodec.request(callID: 2, method: .submitVisits, metadata: metadata, message: submit)

        var result = Giupxa_V1_VisitResult()
        result.visitID = Sample.visit.id.wireBytes
        result.outcome = .stored
        result.revision = 1
        var submitResponse = Giupxa_V1_SubmitVisitsResponse()
        submitResponse.results = [result]
        let responseFrame = MessageCodec.response(callID: 2, message: submitResponse)
        let dictionaryFrame = MessageCodec.request(callID: 2, method: .submitVisits, metadata: metadata, message: submit, dictionary: .visits1)

        // Two batches in one mode-3 stream: the second visit, much like the first, costs little.
        var nextVisit = Sample.visit
        nextVisit.id = UUID(uuidString: "9F0C2A6E-3B1D-4C8E-A2F7-5D6B1E0C4A93")!
        nextVisit.results = "Hoàn thành kế hoạch; xã đề nghị tiếp tục tập huấn vào tháng sau."
        var secondSubmit = Giupxa_V1_SubmitVisitsRequest()
        secondSubmit.visits = [Giupxa_V1_Visit(nextVisit)]
        let streamDeflater = ContextDeflater(dictionary: .visits1)
        let contextFrames = try! [(UInt32(1), submit), (2, secondSubmit)].map { id, message in
            try contextRequest(callID: id, method: .submitVisits, metadata: metadata, message: message) { streamDeflater.compress($0) }
        }
        let streamEncoder = LZMA2ContextEncoder(dictionary: .visits1)
        let lzma2Frames = try! [(UInt32(1), submit), (2, secondSubmit)].map { id, message in
            try contextRequest(callID: id, method: .submitVisits, metadata: metadata, message: message) { streamEncoder.compress($0) }
        }

        // An agency dictionary (§9.5): the two visits above, acknowledged earlier, extend
        // dictionary 1; a third visit like them is then sent in mode 2 against both.
        let agencyVisits = [Giupxa_V1_Visit(Sample.visit), Giupxa_V1_Visit(nextVisit)]
        let agencyPart = AgencyDictionary(messages: agencyVisits.map { try! $0.serializedBytes() })
        var agencyHello = hello
        agencyHello.clientName = "giupxa/0.2"
        agencyHello.compressionDictionary = agencyPart.extending(.visits1).id
        agencyHello.agencyDictionary = agencyPart.hello
        let agencyHelloFrame = MessageCodec.clientHello(agencyHello)
        var thirdVisit = nextVisit
        thirdVisit.id = UUID(uuidString: "2B7E4F1A-8C3D-4E5F-9A6B-7C8D9E0F1A2B")!
        thirdVisit.start = thirdVisit.start.addingTimeInterval(7 * 86_400)
        thirdVisit.end = thirdVisit.end.addingTimeInterval(7 * 86_400)
        var thirdSubmit = Giupxa_V1_SubmitVisitsRequest()
        thirdSubmit.visits = [Giupxa_V1_Visit(thirdVisit)]
        let agencyFrame = MessageCodec.request(
            callID: 1, method: .submitVisits, metadata: metadata, message: thirdSubmit, dictionary: agencyPart.extending(.visits1))

        var listVisits = Giupxa_V1_ListVisitsRequest()
        listVisits.communeCode = "03376"
        listVisits.limit = 100
        let listVisitsFrame = MessageCodec.request(callID: 300, method: .listVisits, message: listVisits)

        let unimplemented = RPCError(code: .unimplemented, message: "method 9 is not defined in v1")
        let statusFrame = MessageCodec.status(callID: 4, error: unimplemented)

        let conflictStatus = RPCError(
            ValidationError([FieldIssue(field: "cadres", reason: .required)]), fieldPrefix: "visits[0].", language: .en)
        let statusFieldFrame = MessageCodec.status(callID: 5, error: conflictStatus)

        let goAwayFrame = MessageCodec.goAway(status: HandshakeRefusal.unauthenticated(.vi).status, lastCallID: 0)
        let versionFrame = MessageCodec.goAway(status: ProtocolViolation.unsupportedVersion(min: 3, max: 3).status, lastCallID: 0)
        let handshakeFailedFrame = MessageCodec.goAway(status: HandshakeRefusal.handshakeFailed.status, lastCallID: 0)
        let counterFrame = HandshakeRefusal.staleCounter(floor: 41, language: .en)

        var amendResult = Giupxa_V1_VisitResult()
        amendResult.visitID = nextVisit.id.wireBytes
        amendResult.outcome = .conflict
        amendResult.status = RPCError(code: .notFound, message: "The server holds no such visit of this agency; send it as a new visit").status
        var amendResponse = Giupxa_V1_AmendVisitsResponse()
        amendResponse.results = [amendResult]
        let amendFrame = MessageCodec.response(callID: 6, message: amendResponse)

        let ping = Frame(type: .ping, callID: 0, body: ByteBuffer(bytes: [0, 0, 0, 0, 0, 0, 0, 42]))
        let pong = Frame(type: .pong, callID: 0, body: ping.body)
        let cancel = MessageCodec.cancel(callID: 2)

        return [
            vector("connection-start", "Preamble (\"GX\", versions 1–1) and the client's HELLO with its credential.",
                   "client-to-server", preamble: true, [(helloFrame, frame(helloFrame, message: hello))]),
            vector("pipelined-first-call", "Preamble, HELLO, and the first call right behind it (ListAssignments, timeout 120 s) in one write: no round trip waits for the server's HELLO.",
                   "client-to-server", preamble: true,
                   [(helloFrame, frame(helloFrame, message: hello)), (listFrame, frame(listFrame, method: .listAssignments, metadata: metadata, message: listAssignments))]),
            vector("server-hello", "The server's HELLO: version 1, the authenticated agency, server clock and limits.",
                   "server-to-client", [(serverFrame, frame(serverFrame, message: server))]),
            vector("submit-one-visit-compressed", "SubmitVisits (method 2) with one realistic visit, call 2, metadata timeout 120 s, message compressed with raw deflate (flags 0x5: M + deflate-raw).",
                   "client-to-server", [(submitFrame, frame(submitFrame, method: .submitVisits, metadata: metadata, message: submit))]),
            vector("submit-one-visit-dictionary", "The same call compressed against preset dictionary 1 (Protocol/dictionaries/visits-1.bin, agreed in the HELLO; flags 0x6: M + deflate-dictionary).",
                   "client-to-server", [(dictionaryFrame, frame(dictionaryFrame, method: .submitVisits, metadata: metadata, message: submit))]),
            vector("submit-two-batches-context", "Two SubmitVisits calls, one visit each, as consecutive pieces of the connection's deflate stream primed with dictionary 1 (mode 3, §9.3; agreed in the HELLO; flags 0x7: M + deflate-context). Each piece ends at a sync flush whose final 00 00 FF FF is not sent; the second compresses against the first.",
                   "client-to-server", [
                       (contextFrames[0], frame(contextFrames[0], method: .submitVisits, metadata: metadata, message: submit)),
                       (contextFrames[1], frame(contextFrames[1], method: .submitVisits, metadata: metadata, message: secondSubmit)),
                   ]),
            vector("submit-two-batches-lzma2", "The same two calls as pieces of the connection's LZMA2 stream (mode 3 with ClientHello.compression_context_lzma2, §9.4; flags 0x7 as for deflate): raw LZMA2, 256 KiB dictionary, preset dictionary 1; each piece is whole LZMA2 chunks, ended by a sync flush. (The reference client sends only messages of 12 KiB and more this way; these two are short to keep the vector readable.)",
                   "client-to-server", [
                       (lzma2Frames[0], frame(lzma2Frames[0], method: .submitVisits, metadata: metadata, message: submit, stream: "lzma2-context-1")),
                       (lzma2Frames[1], frame(lzma2Frames[1], method: .submitVisits, metadata: metadata, message: secondSubmit, stream: "lzma2-context-1")),
                   ]),
            vector("submit-agency-dictionary", "A HELLO offering an agency dictionary (§9.5): compression_dictionary = 2^31 + 1 (dictionary 1 extended), agency_dictionary = 2 visits and the first 8 bytes of SHA-256 of their concatenated Visit messages (listed in agency_visits, oldest first); then a SubmitVisits in mode 2 against dictionary 1 followed by those two messages.",
                   "client-to-server", preamble: true, agencyVisits: agencyVisits, [
                       (agencyHelloFrame, frame(agencyHelloFrame, message: agencyHello)),
                       (agencyFrame, Vectors.withCompression("deflate-agency-dictionary-1", frame(agencyFrame, method: .submitVisits, metadata: metadata, message: thirdSubmit))),
                   ]),
            vector("submit-response-stored", "One VisitResult: STORED at revision 1. Too small to compress.",
                   "server-to-client", [(responseFrame, frame(responseFrame, message: submitResponse))]),
            vector("list-visits-no-metadata", "ListVisits (method 3) on call 300 (a two-byte call id varint) without metadata and uncompressed.",
                   "client-to-server", [(listVisitsFrame, frame(listVisitsFrame, method: .listVisits, message: listVisits))]),
            vector("status-unimplemented", "A call to an unknown method ends with STATUS UNIMPLEMENTED (12).",
                   "server-to-client", [(statusFrame, frame(statusFrame, message: unimplemented.status))]),
            vector("status-invalid-argument-field", "INVALID_ARGUMENT (3) naming the field and the reason.",
                   "server-to-client", [(statusFieldFrame, frame(statusFieldFrame, message: conflictStatus.status))]),
            vector("amend-not-found", "AmendVisits (method 4) answered for an amendment of a visit the server does not hold for this agency: outcome CONFLICT with status NOT_FOUND (5), in English (ClientHello.language \"en\"); §6.5.",
                   "server-to-client", [(amendFrame, frame(amendFrame, message: amendResponse))]),
            vector("goaway-unauthenticated", "HELLO refused (unknown, revoked or another agency's credential, §3.3): GOAWAY with UNAUTHENTICATED (16) in Vietnamese, then the server closes. The same bytes every time, whatever was wrong.",
                   "server-to-client", [(goAwayFrame, frame(goAwayFrame, message: goAwayMessage(goAwayFrame)))]),
            vector("goaway-unsupported-version", "The answer to the preamble 47 58 03 03 (§3.2): GOAWAY FAILED_PRECONDITION (9) in clear, in English (no HELLO has been read), naming both ranges; then the server closes.",
                   "server-to-client", [(versionFrame, frame(versionFrame, message: goAwayMessage(versionFrame)))]),
            vector("goaway-handshake-failed", "The answer to a v2 message 1 that does not decrypt (wrong server key in the credential, damaged bytes; §12.2): GOAWAY UNAUTHENTICATED (16) in clear, its text in Vietnamese and English since the HELLO's language cannot be read.",
                   "server-to-client", [(handshakeFailedFrame, frame(handshakeFailedFrame, message: goAwayMessage(handshakeFailedFrame)))]),
            vector("goaway-counter-floor", "The frame a v2 server puts in message 2's payload (encrypted, §12.2) when the HELLO's handshake_counter is not above the last one seen, here 41 (§12.4): GOAWAY ABORTED (10) with handshake_counter_floor = 41, in English. The client retries at once with a counter above 41.",
                   "server-to-client", [(counterFrame, frame(counterFrame, message: goAwayMessage(counterFrame)))]),
            vector("ping-pong", "PING with 8 opaque bytes, and the PONG echoing them.",
                   "either", [(ping, frame(ping)), (pong, frame(pong))]),
            vector("cancel", "The client gives up on call 2; the server sends no answer for it.",
                   "client-to-server", [(cancel, frame(cancel))]),
        ]
    }

    /// The credential of secure-vectors.json and bundle-vectors.json.
    static let credential = "gx2_AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh81gHLWNliA0a7qMprfkSE4OFHtIaKOO3XpZdDSzRZiVA"

    static func goAwayMessage(_ frame: Frame) -> Giupxa_V1_GoAway {
        try! Giupxa_V1_GoAway(serializedBytes: Array(frame.body.readableBytesView))
    }

    static func write(to url: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        var data = try encoder.encode(all)
        data.append(0x0A)
        try data.write(to: url)
    }
}
