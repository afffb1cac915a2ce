import Foundation
import GiupXaClient
import GiupXaMessages
import GiupXaModels
import GiupXaProtocol
import Testing

/// ClientHello.results_by_position (PROTOCOL.md §6.3): visit results without their ids, for a
/// client that matches them by position; the ids as before for one that did not ask.
@Suite struct ResultsByPositionTests {
    static func submit(port: Int, secret: String, byPosition: Bool, visits: [Visit]) async throws -> [Giupxa_V1_VisitResult] {
        var hello = GiupXaConnection.hello(agencyCode: "STNMT", security: .plaintext, secret: secret, counter: 0, language: "en")
        hello.resultsByPosition = byPosition
        let connection = try await GiupXaConnection.connect(host: "127.0.0.1", port: port, hello: hello, security: .plaintext)
        defer { Task { await connection.close() } }
        var request = Giupxa_V1_SubmitVisitsRequest()
        request.visits = visits.map { Giupxa_V1_Visit($0) }
        return try await connection.call(.submitVisits, request, as: Giupxa_V1_SubmitVisitsResponse.self).results
    }

    static func visit(day: Int) -> Visit {
        let start = VietnameseFormat.parseDateTime("12/03/2019 08:00")!.addingTimeInterval(Double(day) * 86_400)
        return Visit(communeCode: "03376", start: start, end: start.addingTimeInterval(6 * 3600),
                     cadres: [Cadre(name: "Lò Văn Minh", position: "Phó Giám đốc Sở")]).normalized()
    }

    @Test func resultsComeWithoutIdsOnlyWhenAskedAndInRequestOrder() async throws {
        let server = try await TestServer.start()
        defer { server.stop() }
        let visits = (0..<3).map { Self.visit(day: $0) }
        // The middle one is invalid (no cadre): results still line up with the request.
        var invalid = Self.visit(day: 9)
        invalid.cadres = []
        let byPosition = try await Self.submit(port: server.port, secret: server.secret, byPosition: true, visits: [visits[0], invalid, visits[1]])
        #expect(byPosition.map(\.outcome) == [.stored, .rejected, .stored])
        #expect(byPosition.allSatisfy { $0.visitID.isEmpty })
        let withIDs = try await Self.submit(port: server.port, secret: server.secret, byPosition: false, visits: [visits[2], visits[0]])
        #expect(withIDs.map(\.outcome) == [.stored, .alreadyStored])
        #expect(withIDs.map(\.visitID) == [visits[2].id.wireBytes, visits[0].id.wireBytes])
    }
}
