import Foundation
import GiupXaClient
import GiupXaModels
import GiupXaProtocol
import Testing

/// A server configured for small batches: the client adopts the limit from its HELLO.
@Suite struct BatchLimitTests {
    @Test func theClientAdoptsAServersSmallerBatchLimit() async throws {
        var limits = ProtocolLimits()
        limits.maxVisitsPerBatch = 7
        let server = try await TestServer.start(limits: limits)
        defer { server.stop() }
        let home = ClientHome(directory: FileManager.default.temporaryDirectory.appendingPathComponent("giupxa-batch-\(UUID().uuidString)"))
        let outbox = try home.openOutbox()
        let start = VietnameseFormat.parseDateTime("12/03/2019 08:00")!
        for day in 0..<40 {
            let begin = start.addingTimeInterval(Double(day) * 86_400)
            try outbox.add(Visit(
                communeCode: "03376", start: begin, end: begin.addingTimeInterval(6 * 3600),
                cadres: [Cadre(name: "Lò Văn Minh", position: "Phó Giám đốc Sở")]).normalized())
        }
        let client = try AgencyClient(host: "127.0.0.1", port: server.port, agencyCode: "STNMT", secret: server.secret, language: .en)
        var policy = SyncPolicy()
        policy.initialBatchSize = 50
        let summary = try await SyncEngine(client: client, outbox: outbox, policy: policy).run()
        #expect(summary.error == nil, "\(summary.error ?? "")")
        #expect(summary.sent == 40)
        #expect(summary.pending == 0)
    }
}
