import Foundation
import GRDB
@testable import GiupXaStorage
import Testing

/// The Checkpointer copies the write-ahead log into the database file after group commits, off
/// the writer: the writer's own automatic checkpoint waits for 8,192 pages, so without it the
/// database file would not grow here.
@Suite struct CheckpointerTests {
    @Test func groupCommitsReachTheDatabaseFileWithoutTheWritersCheckpoint() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("giupxa-checkpoint-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("c.sqlite").path
        var configuration = Configuration()
        configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA wal_autocheckpoint = 8192") }
        let pool = try DatabasePool(path: path, configuration: configuration)
        try await pool.write { try $0.execute(sql: "CREATE TABLE item(id INTEGER PRIMARY KEY, note BLOB NOT NULL)") }
        let checkpointer = try Checkpointer(path: path, interval: .milliseconds(10))
        let commits = GroupCommit(pool: pool, committed: { checkpointer.committed() })
        func fileSize() throws -> Int { try FileManager.default.attributesOfItem(atPath: path)[.size] as! Int }
        let before = try fileSize()

        // About 250 pages of log, in 50 transactions.
        for round in 0..<50 {
            try await commits.write { db in
                for item in 0..<20 {
                    try db.execute(sql: "INSERT INTO item(id, note) VALUES (?, randomblob(1000))", arguments: [round * 20 + item])
                }
            }
        }
        // The last checkpoint may still be running: wait for the file, five seconds at most.
        let deadline = ContinuousClock.now + .seconds(5)
        while try fileSize() < before + 900 * 1000, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(try fileSize() >= before + 900 * 1000)
        #expect(try await pool.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM item") } == 1000)
    }
}
