import Foundation
import GiupXaMessages
import GiupXaModels
import GiupXaProtocol
import GiupXaServer
import GiupXaStorage
import Logging
import NIOCore
import Testing

/// Issue 15, finding 11: a call whose work is cancelled (its client cancelled it, went away, or
/// broke the protocol) stops and answers CANCELLED: not INTERNAL, and not a "storage failure".
@Suite struct CancellationTests {
    @Test func aCancelledSubmitVisitsAnswersCancelledAndStoresNothing() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("giupxa-cancel-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let store = try SQLiteStore(path: directory.appendingPathComponent("s.sqlite").path)
        _ = try await store.loadDefaultData(sampleDecision: true)
        let agency = try #require(try await store.agency(code: "STNMT"))
        let service = VisitService(store: store, limits: .default)
        let logs = CapturedLogs()
        let context = CallContext(principal: .agency(agency), language: .en, logger: logs.logger)
        var request = Giupxa_V1_SubmitVisitsRequest()
        request.visits = [BadInputTableTests.visit()]
        let message = MessageCodec.serialize(request)

        let task = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return try await service.handle(.submitVisits, message: message, context: context)
        }
        await #expect(throws: RPCError(code: .cancelled, message: "Call cancelled")) { try await task.value }
        #expect(!logs.lines.contains { $0.level >= .error }, "\(logs.lines)")
        #expect(try await store.visits(VisitQuery(agencyCode: "STNMT")).visits.isEmpty)
    }
}
