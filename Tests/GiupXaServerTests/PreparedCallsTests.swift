import Foundation
import GiupXaClient
import GiupXaMessages
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
                results: "Rà soát hộ nghèo ở bản \(day), cùng cán bộ xã; hướng dẫn kỹ thuật trồng lúa nước, chăn nuôi "
                    + "gia súc; kiểm tra tiến độ xây dựng nông thôn mới và nhu cầu của xã"))
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

        // Large enough for the LZMA2 stream (§9.4 puts requests of 12 KiB and more in it: 60 visits). The
        // second is the first sent again (as after a lost answer).
        let resent = Self.request(days: 10..<70)
        let requests = [resent, resent, Self.request(days: 70..<130)]
        let prepared = try await connection.prepare(.submitVisits, requests)
        #expect(prepared.count == 3)
        if stream != nil {
            // Compressed now, in the stream, against the calls before it: the repeat is nearly free.
            #expect(prepared[1].bodyBytes < prepared[0].bodyBytes / 4)
        }
        var outcomes: [[Giupxa_V1_VisitResult.Outcome]] = []
        for call in prepared {
            outcomes.append(try await connection.start(call, as: Giupxa_V1_SubmitVisitsResponse.self).response().results.map(\.outcome))
        }
        #expect(outcomes == [Array(repeating: .stored, count: 60), Array(repeating: .alreadyStored, count: 60), Array(repeating: .stored, count: 60)])
        // A call made the usual way afterwards goes on in the same stream.
        let after = try await connection.call(.submitVisits, Self.request(days: 130..<131), as: Giupxa_V1_SubmitVisitsResponse.self)
        #expect(after.results.map(\.outcome) == [.stored])
        #expect(try await server.store.visits(VisitQuery(agencyCode: "STNMT", limit: 1000)).visits.count == 123)
    }
}
