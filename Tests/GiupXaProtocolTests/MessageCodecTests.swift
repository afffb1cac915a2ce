import Foundation
import GiupXaMessages
import GiupXaModels
import GiupXaProtocol
import NIOCore
import SwiftProtobuf
import Testing

/// A realistic visit used across the protocol tests.
enum Sample {
    static let start = Date(timeIntervalSince1970: 1_552_352_400)  // 12/03/2019 08:00 UTC+7

    static var visit: Visit {
        Visit(
            id: UUID(uuidString: "51209E8F-3327-46D0-B56A-41526977A41B")!, agencyCode: "STNMT", communeCode: "03376",
            start: start, end: start.addingTimeInterval(2 * 86_400 + 8.5 * 3600),
            cadres: [Cadre(name: "Lò Văn Minh", position: "Phó Giám đốc Sở"), Cadre(name: "Lường Thị Mai", position: "Chuyên viên")],
            plan: VisitPlan(hasWrittenPlan: true, summary: "Rà soát hộ nghèo các bản Keo Lôm 1, Keo Lôm 2"),
            activities: [
                Activity(category: .socioEconomicReview, description: "Rà soát 45 hộ nghèo, cập nhật thu nhập và nhà ở"),
                Activity(category: .trainingTechnology, description: "Tập huấn ủ phân hữu cơ cho 30 người dân"),
            ],
            support: [SupportItem(description: "Chăn ấm", quantity: 20, unit: "chiếc", valueVND: 4_000_000)],
            results: "Hoàn thành kế hoạch; xã thống nhất lộ trình tiếp theo.",
            communeRequests: "Đề nghị hỗ trợ đo đạc, cấp giấy chứng nhận cho bản Keo Lôm 2")
    }
}

@Suite struct MessageCodecTests {
    func roundTrip<M: SwiftProtobuf.Message & Equatable>(_ message: M) throws {
        let bytes = MessageCodec.serialize(message)
        #expect(try MessageCodec.decode(M.self, from: bytes) == message)
    }

    @Test func everyMessageRoundTrips() throws {
        var hello = Giupxa_V1_ClientHello()
        hello.clientName = "giupxa/0.1"
        hello.credential.agencyCode = "STNMT"
        hello.credential.secret = "gx1_abc"
        hello.language = "vi"
        try roundTrip(hello)
        var server = Giupxa_V1_ServerHello()
        server.version = 1
        server.agencyName = "Sở Tài nguyên và Môi trường"
        server.limits.maxFrameBytes = 4 << 20
        try roundTrip(server)
        var metadata = Giupxa_V1_CallMetadata()
        metadata.timeoutMs = 120_000
        try roundTrip(metadata)
        let status = RPCError(ValidationError([FieldIssue(field: "cadres", reason: .required)]), fieldPrefix: "visits[0].", language: .vi).status
        #expect(status.fieldErrors.first?.field == "visits[0].cadres")
        #expect(status.fieldErrors.first?.reason == "required")
        try roundTrip(status)
        var goAway = Giupxa_V1_GoAway()
        goAway.status = status
        goAway.lastCallID = 7
        try roundTrip(goAway)
        var submit = Giupxa_V1_SubmitVisitsRequest()
        submit.visits = [Giupxa_V1_Visit(Sample.visit)]
        try roundTrip(submit)
        var result = Giupxa_V1_VisitResult()
        result.visitID = Sample.visit.id.wireBytes
        result.outcome = .conflict
        result.status = status
        result.revision = 1
        var submitResponse = Giupxa_V1_SubmitVisitsResponse()
        submitResponse.results = [result]
        try roundTrip(submitResponse)
        var assignments = Giupxa_V1_ListAssignmentsResponse()
        let detail = AssignmentDetail(
            assignment: Assignment(decisionNumber: "708/QĐ-UBND", agencyCode: "STNMT", communeCode: "03376", role: .lead),
            commune: DefaultData.communes.first { $0.code == "03376" }!,
            period: DefaultData.sampleDecision.period)
        assignments.assignments = [Giupxa_V1_Assignment(detail, isSample: true)]
        try roundTrip(assignments)
        var listRequest = Giupxa_V1_ListVisitsRequest()
        listRequest.communeCode = "03376"
        listRequest.limit = 10
        listRequest.pageToken = Data("1|x".utf8)
        try roundTrip(listRequest)
        var listResponse = Giupxa_V1_ListVisitsResponse()
        listResponse.visits = [Giupxa_V1_StoredVisit(StoredVisit(visit: Sample.visit, revision: 2, receivedAt: Sample.start))]
        try roundTrip(listResponse)
        try roundTrip(Giupxa_V1_ListAssignmentsRequest())
    }

    @Test func visitSurvivesTheWireUnchanged() throws {
        let wire = Giupxa_V1_Visit(Sample.visit)
        let decoded = try MessageCodec.decode(Giupxa_V1_Visit.self, from: MessageCodec.serialize(wire))
        #expect(try decoded.toModel(agencyCode: "STNMT") == Sample.visit.normalized())
        let stored = StoredVisit(visit: Sample.visit, revision: 3, receivedAt: Sample.start)
        #expect(try Giupxa_V1_StoredVisit(stored).toModel() == stored)
    }

    @Test func unknownCategoryAndBadIdAreFieldIssues() {
        var wire = Giupxa_V1_Visit(Sample.visit)
        wire.activities[1].category = Giupxa_V1_ActivityCategory(rawValue: 42)!
        wire.id = Data([1, 2, 3])
        #expect {
            try wire.toModel(agencyCode: "STNMT")
        } throws: { error in
            let issues = (error as? ValidationError)?.issues ?? []
            return issues.contains { $0.field == "activities[1].category" && $0.reason == .unknownCategory }
                && issues.contains { $0.field == "id" && $0.reason == .invalidFormat }
        }
    }

    @Test func unknownFieldsFromANewerPeerAreTolerated() throws {
        var bytes = MessageCodec.serialize(Giupxa_V1_Visit(Sample.visit))
        // Field 99, varint 1: something a later version might add.
        bytes.writeBytes([0x98, 0x06, 0x01])
        let decoded = try MessageCodec.decode(Giupxa_V1_Visit.self, from: bytes)
        #expect(decoded.communeCode == "03376")
    }

    @Test func invalidUTF8IsInvalidArgument() {
        // Visit.commune_code (field 2) holding the bytes FF FE.
        let bytes = ByteBuffer(bytes: [0x12, 0x02, 0xFF, 0xFE])
        #expect(throws: RPCError.self) { try MessageCodec.decode(Giupxa_V1_Visit.self, from: bytes) }
        do {
            _ = try MessageCodec.decode(Giupxa_V1_Visit.self, from: bytes)
        } catch {
            #expect(error.code == .invalidArgument)
        }
    }

    @Test func requestFramesOpenToTheirParts() throws {
        var metadata = Giupxa_V1_CallMetadata()
        metadata.timeoutMs = 5000
        var submit = Giupxa_V1_SubmitVisitsRequest()
        submit.visits = [Giupxa_V1_Visit(Sample.visit)]
        let frame = MessageCodec.request(callID: 3, method: .submitVisits, metadata: metadata, message: submit)
        #expect(frame.flags.compression == .deflateRaw)
        #expect(frame.flags.contains(.metadata))
        let request = try MessageCodec.openRequest(frame, limits: .default)
        #expect(request.method == .submitVisits)
        #expect(request.metadata.timeoutMs == 5000)
        #expect(try MessageCodec.decode(Giupxa_V1_SubmitVisitsRequest.self, from: request.message) == submit)
    }

    @Test func aCompressedBombInARequestEndsOnlyThatCall() throws {
        var limits = ProtocolLimits()
        limits.maxMessageBytes = 64 << 10
        var body = ByteBuffer()
        Varint.write(Method.submitVisits.rawValue, to: &body)
        body.writeImmutableBuffer(try #require(Deflate.compressIfSmaller(ByteBuffer(repeating: 0, count: 1 << 20))))
        var flags = FrameFlags()
        flags.compression = .deflateRaw
        let frame = Frame(type: .request, flags: flags, callID: 1, body: body)
        #expect(frame.body.readableBytes < 2000)
        #expect(throws: RPCError.self) { try MessageCodec.openRequest(frame, limits: limits) }
        do { _ = try MessageCodec.openRequest(frame, limits: limits) } catch { #expect(error.code == .resourceExhausted) }
    }
}
