import Foundation
import GiupXaClient
import GiupXaMessages
import GiupXaModels
import GiupXaProtocol
import GiupXaStorage
import Testing

/// PROTOCOL.md §6.4 and §11: ListVisits' page sizes, and an answer too large for a frame.
@Suite struct ListVisitsPagingTests {
    static func store(_ count: Int, in server: TestServer) async throws {
        let first = VietnameseFormat.parseDateTime("01/01/2018 08:00")!
        let visits = (0..<count).map { i in
            Visit(communeCode: "03376", start: first.addingTimeInterval(Double(i) * 3600 * 3), end: first.addingTimeInterval(Double(i) * 3600 * 3 + 3600),
                  cadres: [Cadre(name: "Lò Văn Minh", position: "Chuyên viên")], results: (0..<10).map { _ in UUID().uuidString }.joined(separator: " "))  // compresses little
        }
        for start in stride(from: 0, to: count, by: 250) {
            let outcomes = try await server.store.submitVisits(Array(visits[start..<min(start + 250, count)]), agencyCode: "STNMT", receivedAt: Date())
            #expect(outcomes.allSatisfy { if case .stored = $0 { true } else { false } })
        }
    }

    static func list(_ server: TestServer, limit: UInt32) async throws -> Giupxa_V1_ListVisitsResponse {
        let client = try AgencyClient(host: "127.0.0.1", port: server.port, agencyCode: "STNMT", secret: server.secret, language: .en, counters: InMemoryHandshakeCounter())
        let connection = try await client.connect()
        defer { Task { await connection.close() } }
        var request = Giupxa_V1_ListVisitsRequest()
        request.limit = limit
        return try await connection.call(.listVisits, request, as: Giupxa_V1_ListVisitsResponse.self, timeout: .seconds(30))
    }

    @Test func aLimitOfZeroIsAHundredAndLargerOnesStopAtFiveHundred() async throws {
        let server = try await TestServer.start()
        defer { server.stop() }
        try await Self.store(510, in: server)
        #expect(try await Self.list(server, limit: 0).visits.count == 100)
        #expect(try await Self.list(server, limit: 7).visits.count == 7)
        let capped = try await Self.list(server, limit: 100_000)
        #expect(capped.visits.count == 500)
        #expect(!capped.nextPageToken.isEmpty, "the rest is on the next page")
    }

    @Test func anAnswerLargerThanAFrameIsRefusedAsResourceExhausted() async throws {
        var limits = ProtocolLimits.default
        limits.maxFrameBytes = 16 << 10
        let server = try await TestServer.start(limits: limits)
        defer { server.stop() }
        try await Self.store(200, in: server)
        await #expect { _ = try await Self.list(server, limit: 200) } throws: { error in
            (error as? RPCError)?.code == .resourceExhausted
        }
        // A page that fits is answered.
        #expect(try await Self.list(server, limit: 5).visits.count == 5)
    }
}
