import Foundation
import GiupXaClient
import GiupXaModels
import GiupXaProtocol
import GiupXaStorage
import Testing

/// GiupXaConnection.prepare / start: calls compressed ahead of sending, in the connection's
/// request stream, reach the server as the same calls made one by one would (the capacity
/// benchmark's load generator sends its ingest this way).
@Suite struct PreparedCallsTests {
    static func request(days: Range<Int>) -> Giupxa_V1_SubmitVisitsRequest {
        var request = Giupxa_V1_SubmitVisitsRequest()
        request.visits = days.map { day in
            let start = VietnameseFormat.parseDateTime("12/03/2019 08:00")!.addingTimeInterval(Double(day) * 86_400)
            return Giupxa_V1_Visit(Visit(
                communeCode: "03376", start: start, end: start.addingTimeInterval(6 * 3600),
                cadres: [Cadre(name: "Lò Văn Minh", position: "Phó Giám đốc Sở")],
                results: "Rà soát hộ nghèo ở bản \(day), cùng cán bộ xã"))
        }
        return request
    }

    @Test(arguments: [ContextCodec.deflate, .lzma2, nil])
    func preparedCallsAreStoredAndLaterCallsContinueTheStream(stream: ContextCodec?) async throws {
        let server = try await TestServer.start()
        defer { server.stop() }
        var hello = GiupXaConnection.hello(
            agencyCode: "STNMT", security: .plaintext, secret: server.secret, counter: 0, language: "en", requestStream: stream ?? .deflate)
        if stream == nil { hello.compressionContext = false }
        let connection = try await GiupXaConnection.connect(host: "127.0.0.1", port: server.port, hello: hello, security: .plaintext)
        defer { Task { await connection.close() } }
        // A first call settles the HELLO (and so the stream), as `prepare` asks.
        let first = try await connection.call(.submitVisits, Self.request(days: 0..<2), as: Giupxa_V1_SubmitVisitsResponse.self)
        #expect(first.results.map(\.outcome) == [.stored, .stored])

        // Large enough for the LZMA2 stream (§9.4 puts requests of 12 KiB and more in it).
        let requests = [Self.request(days: 10..<40), Self.request(days: 40..<70), Self.request(days: 70..<100)]
        let prepared = try await connection.prepare(.submitVisits, requests)
        #expect(prepared.count == 3)
        if stream != nil {
            // Compressed now, each against those before it: the later ones, alike, cost less.
            #expect(prepared[2].bodyBytes < prepared[0].bodyBytes)
        }
        for call in prepared {
            let response = try await connection.start(call, as: Giupxa_V1_SubmitVisitsResponse.self).response()
            #expect(response.results.count == 30)
            #expect(response.results.allSatisfy { $0.outcome == .stored })
        }
        // A call made the usual way afterwards goes on in the same stream.
        let after = try await connection.call(.submitVisits, Self.request(days: 100..<101), as: Giupxa_V1_SubmitVisitsResponse.self)
        #expect(after.results.map(\.outcome) == [.stored])
        #expect(try await server.store.visits(VisitQuery(agencyCode: "STNMT", limit: 1000)).visits.count == 93)
    }
}
