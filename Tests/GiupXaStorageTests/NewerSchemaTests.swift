import Foundation
import GiupXaModels
import GRDB
import GiupXaStorage
import Testing

/// A database migrated by a newer server is refused with its reason, and left as it was.
@Suite struct NewerSchemaTests {
    @Test func aDatabaseFromANewerServerIsRefusedAndLeftAlone() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("giupxa-newer-\(UUID().uuidString).sqlite").path
        _ = try await SQLiteStore(path: path).loadDefaultData()
        let queue = try DatabaseQueue(path: path)
        try await queue.write { try $0.execute(sql: "INSERT INTO grdb_migrations(identifier) VALUES ('v99-from-the-future')") }
        let before = try await queue.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM commune") }
        try queue.close()
        #expect(throws: StoreError.newerSchema(["v99-from-the-future"])) { try SQLiteStore(path: path) }
        #expect(StoreError.newerSchema(["v99-from-the-future"]).message(.vi).contains("phiên bản giupxa-server mới hơn"))
        let after = try await DatabaseQueue(path: path).read { try Int.fetchOne($0, sql: "SELECT count(*) FROM commune") }
        #expect(after == before)
    }
}
