import Foundation
import GRDB
@testable import GiupXaStorage
import GiupXaModels
import Testing

/// Group commit: concurrent writes share transactions, a failing job is rolled back alone, and
/// nothing is reported done before its transaction committed.
@Suite struct GroupCommitTests {
    let directory: URL

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("giupxa-group-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    private func pool() throws -> DatabasePool {
        let pool = try DatabasePool(path: directory.appendingPathComponent("g.sqlite").path)
        try pool.write { try $0.execute(sql: "CREATE TABLE item(id INTEGER PRIMARY KEY, note TEXT NOT NULL)") }
        return pool
    }

    @Test func concurrentJobsCoalesceAndAFailingOneIsRolledBackAlone() async throws {
        let pool = try pool()
        let commits = GroupCommit(pool: pool)
        struct Refused: Error {}
        let results = await withTaskGroup(of: (Int, Bool).self) { group in
            for id in 1...200 {
                group.addTask {
                    do {
                        try await commits.write { db in
                            try db.execute(sql: "INSERT INTO item(id, note) VALUES (?, 'x')", arguments: [id])
                            // Every 10th job writes, then fails: its row must not survive.
                            if id % 10 == 0 { throw Refused() }
                        }
                        return (id, true)
                    } catch {
                        return (id, false)
                    }
                }
            }
            return await group.reduce(into: [Int: Bool]()) { $0[$1.0] = $1.1 }
        }
        #expect(results.count == 200)
        #expect(results.filter { !$0.value }.keys.sorted() == Array(stride(from: 10, through: 200, by: 10)))
        let stored = try await pool.read { try Int.fetchAll($0, sql: "SELECT id FROM item ORDER BY id") }
        #expect(stored == (1...200).filter { $0 % 10 != 0 })
        // 200 concurrent jobs took fewer transactions than jobs.
        #expect(commits.rounds < 200)
        #expect(commits.rounds >= 1)
    }

    @Test func aFailedCommitFailsEveryJobOfItsRound() async throws {
        let pool = try pool()
        let commits = GroupCommit(pool: pool)
        // A deferred foreign key violation only shows at COMMIT: the whole transaction fails.
        try await pool.write { db in
            try db.execute(sql: "CREATE TABLE child(id INTEGER PRIMARY KEY, item INTEGER REFERENCES item(id) DEFERRABLE INITIALLY DEFERRED)")
        }
        await #expect(throws: (any Error).self) {
            try await commits.write { db in try db.execute(sql: "INSERT INTO child(id, item) VALUES (1, 999)") }
        }
        let children = try await pool.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM child") }
        #expect(children == 0)
        // The next round works.
        try await commits.write { db in try db.execute(sql: "INSERT INTO item(id, note) VALUES (1, 'after')") }
        #expect(try await pool.read { try String.fetchOne($0, sql: "SELECT note FROM item WHERE id = 1") } == "after")
    }

    @Test func concurrentSubmitsOfTheSameVisitStoreItOnce() async throws {
        let store = try SQLiteStore(path: directory.appendingPathComponent("s.sqlite").path)
        _ = try await store.loadDefaultData()
        let visits = (0..<40).map { index -> Visit in
            let start = VietnameseFormat.parseDateTime("12/03/2019 08:00")!.addingTimeInterval(Double(index) * 86_400 * 2)
            return Visit(
                communeCode: "03376", start: start, end: start.addingTimeInterval(86_400),
                cadres: [Cadre(name: "Lò Văn Minh", position: "Phó Giám đốc")], results: "Lần \(index)"
            ).normalized()
        }
        // Each visit sent by two calls at once (a retry racing its original).
        let outcomes = try await withThrowingTaskGroup(of: [SubmitOutcome].self) { group in
            for visit in visits + visits {
                group.addTask { try await store.submitVisits([visit], agencyCode: "STNMT", receivedAt: Date()) }
            }
            return try await group.reduce(into: [SubmitOutcome]()) { $0 += $1 }
        }
        #expect(outcomes.filter { $0 == .stored(revision: 1) }.count == 40)
        #expect(outcomes.filter { $0 == .alreadyStored(revision: 1) }.count == 40)
        #expect(try await store.visits(VisitQuery(agencyCode: "STNMT", limit: 1000)).visits.count == 40)
        #expect(store.commits.rounds < 80)
    }
}
