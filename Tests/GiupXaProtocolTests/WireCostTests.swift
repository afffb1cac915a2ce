import Foundation
import GiupXaMessages
import GiupXaModels
import GiupXaProtocol
import NIOCore
import Testing

/// The wire targets of issue 2, printed and asserted where deterministic.
@Suite struct WireCostTests {
    @Test func framingAddsAtMost12BytesPerCallWithoutMetadata() {
        var submit = Giupxa_V1_SubmitVisitsRequest()
        submit.visits = [Giupxa_V1_Visit(Sample.visit)]
        var result = Giupxa_V1_VisitResult()
        result.visitID = Sample.visit.id.wireBytes
        result.outcome = .stored
        var response = Giupxa_V1_SubmitVisitsResponse()
        response.results = [result]

        for callID: UInt32 in [1, 127, 128, 16_383] {
            let request = MessageCodec.request(callID: callID, method: .submitVisits, message: submit, compress: false)
            let reply = MessageCodec.response(callID: callID, message: response, compress: false)
            let messages = MessageCodec.serialize(submit).readableBytes + MessageCodec.serialize(response).readableBytes
            var wire = ByteBuffer()
            request.write(to: &wire)
            reply.write(to: &wire)
            let overhead = wire.readableBytes - messages
            print("framing overhead, call id \(callID): \(overhead) bytes for a request + response pair (messages \(messages) bytes)")
            #expect(overhead <= 12)
        }
        // The smallest case: call id < 128 and bodies < 128 bytes.
        let small = MessageCodec.request(callID: 1, method: .listAssignments, message: Giupxa_V1_ListAssignmentsRequest())
        let smallReply = MessageCodec.response(callID: 1, message: Giupxa_V1_ListAssignmentsResponse())
        #expect(small.overhead + 1 + smallReply.overhead == 7)
    }

    @Test func compressionIsAppliedOnlyWhenItPays() {
        var submit = Giupxa_V1_SubmitVisitsRequest()
        submit.visits = [Giupxa_V1_Visit(Sample.visit)]
        let plain = MessageCodec.serialize(submit).readableBytes
        let frame = MessageCodec.request(callID: 1, method: .submitVisits, message: submit)
        print("one visit: \(plain) bytes serialised, \(frame.body.readableBytes - 1) bytes compressed")
        #expect(frame.flags.compression == .deflateRaw)
        #expect(frame.body.readableBytes - 1 < plain)
        // A tiny message stays plain.
        let tiny = MessageCodec.request(callID: 1, method: .listAssignments, message: Giupxa_V1_ListAssignmentsRequest())
        #expect(tiny.flags.compression == .none)
    }
}

/// Compression mode 2: a preset dictionary of visit text (PROTOCOL.md §9.2).
@Suite struct DictionaryCompressionTests {
    @Test func oneVisitShrinksAgainstTheDictionaryAndRoundTrips() throws {
        var request = Giupxa_V1_SubmitVisitsRequest()
        request.visits = [Giupxa_V1_Visit(Sample.visit)]
        let plain = MessageCodec.request(callID: 1, method: .submitVisits, message: request)
        let preset = MessageCodec.request(callID: 1, method: .submitVisits, message: request, dictionary: .visits1)
        #expect(preset.flags.compression == .deflateDictionary)
        print("one visit: \(MessageCodec.serialize(request).readableBytes) B serialized, \(plain.body.readableBytes) B deflated, \(preset.body.readableBytes) B with dictionary 1")
        #expect(preset.body.readableBytes < plain.body.readableBytes)
        let opened = try MessageCodec.openRequest(preset, limits: .default, dictionary: .visits1)
        #expect(try MessageCodec.decode(Giupxa_V1_SubmitVisitsRequest.self, from: opened.message) == request)
        // Without the agreed dictionary the call is refused, not misread.
        #expect(throws: RPCError.self) { try MessageCodec.openRequest(preset, limits: .default) }
    }

    @Test func theDictionaryIsThePublishedFile() throws {
        let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Protocol/dictionaries/visits-1.bin")
        #expect(Array(try Data(contentsOf: file)) == CompressionDictionary.visits1.bytes)
        #expect(CompressionDictionary.visits1.bytes.count <= 32 * 1024)
    }

    @Test func aBombIsStillStoppedAtTheLimit() throws {
        let bomb = try #require(Deflate.compressIfSmaller(ByteBuffer(repeating: 0, count: 1 << 20), dictionary: .visits1))
        #expect(throws: Deflate.Failure.tooLarge(limit: 4096)) { try Deflate.decompress(bomb, limit: 4096, dictionary: .visits1) }
    }
}
