import Foundation
import GiupXaModels
import GRDB
@testable import GiupXaStorage
import Testing

/// Migration v8-revisions-by-visit-seq: every revision stays with its visit, reads and
/// corrections work as before, and a VACUUM cannot separate them.
@Suite struct RevisionsBySeqMigrationTests {
    @Test func revisionsFollowTheirVisitsThroughTheRebuildAndAVacuum() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("giupxa-mig8-\(UUID().uuidString).sqlite").path
        let queue = try DatabaseQueue(path: path)
        try Schema.migrator.migrate(queue, upTo: "v7-start-indexes-without-id")
        let start = VietnameseFormat.parseDateTime("12/03/2019 08:00")!
        // Three visits with 2, 1 and 3 revisions; the second was resent from an offline bundle (no credential).
        let history = [2, 1, 3].enumerated().map { index, count -> (visit: Visit, texts: [String]) in
            var visit = Visit(
                communeCode: "03376", start: start.addingTimeInterval(Double(index) * 86_400), end: start.addingTimeInterval(Double(index) * 86_400 + 3_600),
                cadres: [Cadre(name: "Lò Văn Minh")], results: "")
            visit.agencyCode = "STNMT"
            return (visit.normalized(), (1...count).map { "Chuyến \(index + 1), bản \($0)" })
        }
        try await queue.write { db in
            try db.execute(sql: MigrationFixtures.referenceData)
            try db.execute(sql: """
                INSERT INTO credential(id, role, agency_code, public_key, psk, issued_at) VALUES (7, 'agency', 'STNMT', x'01', x'02', 0);
                -- A gap in the row numbers (VACUUM closes gaps in implicit ones).
                INSERT INTO visit(id, agency_code, commune_code, start_at, end_at, revision, content_sha256, received_at)
                    VALUES ('gap', 'STNMT', '03376', 0, 0, 1, x'00', 0);
                """)
            for (index, (visit, texts)) in history.enumerated() {
                let bodies = try texts.map { text in
                    var revision = visit
                    revision.results = text
                    return try VisitEncoding.body(revision)
                }
                try db.execute(
                    sql: """
                        INSERT INTO visit(id, agency_code, commune_code, start_at, end_at, revision, content_sha256, received_at, credential_id)
                        VALUES (?, 'STNMT', '03376', ?, ?, ?, ?, 0, ?)
                        """,
                    arguments: [
                        visit.id.uuidString, Int64(visit.start.timeIntervalSince1970), Int64(visit.end.timeIntervalSince1970),
                        texts.count, VisitEncoding.digest(bodies.last!), index == 1 ? nil : 7,
                    ])
                for (revision, body) in bodies.enumerated() {
                    try db.execute(
                        sql: "INSERT INTO visit_revision(visit_id, revision, body, content_sha256, submitted_by, received_at) VALUES (?, ?, ?, ?, 'STNMT', ?)",
                        arguments: [visit.id.uuidString, revision + 1, body, VisitEncoding.digest(body), Double(revision)])
                }
            }
            try db.execute(sql: "DELETE FROM visit WHERE id = 'gap'")
        }
        try queue.close()

        let store = try SQLiteStore(path: path)
        func check() async throws {
            for (visit, texts) in history {
                #expect(try await store.revisions(visitID: visit.id).map(\.visit.results) == texts)
            }
            #expect(try await store.visits(VisitQuery(agencyCode: "STNMT")).visits.map(\.visit.results) == history.map { $0.texts.last! })
            #expect(try await store.recentVisits(credentialID: 7, count: 10).map(\.results) == [history[2], history[0]].map { $0.texts.last! })
            let violations = try await store.pool.read { db in try Row.fetchAll(db, sql: "PRAGMA foreign_key_check").count }
            #expect(violations == 0)
        }
        try await check()
        // VACUUM renumbers rows of tables without an INTEGER PRIMARY KEY; `seq` is one.
        try await store.pool.writeWithoutTransaction { try $0.execute(sql: "VACUUM") }
        try await check()
        // Resent as stored: acknowledged; corrected: a fourth revision read everywhere.
        var last = history[2].visit
        last.results = history[2].texts.last!
        #expect(try await store.submitVisits([last], agencyCode: "STNMT", credentialID: 7, receivedAt: Date()) == [.alreadyStored(revision: 3)])
        last.results = "Chuyến 3, bản 4"
        #expect(try await store.amendVisits([VisitAmendment(visit: last, baseRevision: 3)], agencyCode: "STNMT", receivedAt: Date()) == [.stored(revision: 4)])
        #expect(try await store.revisions(visitID: last.id).map(\.visit.results).last == "Chuyến 3, bản 4")
        #expect(try await store.visits(VisitQuery(agencyCode: "STNMT")).visits.last?.visit.results == "Chuyến 3, bản 4")
    }
}
