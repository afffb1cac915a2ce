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
