import Foundation
import GiupXaModels
import GRDB
@testable import GiupXaStorage
import Testing

/// Migrations v4-visit-body-once and v5-visit-body-protobuf: `visit` loses its copy of the
/// body, every read finds the latest revision's body in visit_revision, and JSON bodies become
/// protobuf with their digests recomputed — for visits stored before the upgrade (a resend is
/// still recognised) and for corrections made after it.
@Suite struct VisitBodyOnceMigrationTests {
    /// A body and digest as stored before v5.
    static func legacy(_ visit: Visit) throws -> (body: String, digest: Data) {
        // The pre-v5 encoder's settings: sorted keys, unescaped slashes, Unix-second dates.
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .secondsSince1970
        let body = String(decoding: try encoder.encode(visit), as: UTF8.self)
        return (body, VisitEncoding.digest(Data(body.utf8)))
    }

    @Test func visitsStoredBeforeTheUpgradeReadTheirLatestRevision() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("giupxa-mig4-\(UUID().uuidString).sqlite").path
        let queue = try DatabaseQueue(path: path)
        try Schema.migrator.migrate(queue, upTo: "v3-visit-credential")
        let start = VietnameseFormat.parseDateTime("12/03/2019 08:00")!
        var visit = Visit(
            communeCode: "03376", start: start, end: start.addingTimeInterval(86_400),
            cadres: [Cadre(name: "Lò Văn Minh")], results: "Bản 1"
        ).normalized()
        visit.agencyCode = "STNMT"
        let first = try Self.legacy(visit)
        visit.results = "Bản 2"
        let second = try Self.legacy(visit)
        let id = visit.id.uuidString
        try await queue.write { db in
            try db.execute(sql: MigrationFixtures.referenceData)
            let t = start.timeIntervalSince1970
            // Before v4 the latest body was in both tables.
            try db.execute(
                sql: """
                    INSERT INTO visit(id, agency_code, commune_code, start_at, end_at, revision, content_sha256, body, received_at)
                    VALUES (?, 'STNMT', '03376', ?, ?, 2, ?, ?, 0)
                    """,
                arguments: [id, Int64(t), Int64(t + 86_400), second.digest, second.body])
            for (revision, encoded) in [(1, first), (2, second)] {
                try db.execute(
                    sql: "INSERT INTO visit_revision(visit_id, revision, body, content_sha256, submitted_by, received_at) VALUES (?, ?, ?, ?, 'STNMT', 0)",
                    arguments: [id, revision, encoded.body, encoded.digest])
            }
        }
        try queue.close()

        let store = try SQLiteStore(path: path)
        let columns = try await store.pool.read { db in try db.columns(in: "visit").map(\.name) }
        #expect(!columns.contains("body"))
        let page = try await store.visits(VisitQuery(agencyCode: "STNMT"))
        #expect(page.visits.map(\.visit.results) == ["Bản 2"])
        #expect(page.visits.map(\.revision) == [2])
        #expect(try await store.latestVisits(startingBefore: start.addingTimeInterval(1), agencyCode: nil).map(\.results) == ["Bản 2"])
        #expect(try await store.revisions(visitID: visit.id).map(\.visit.results) == ["Bản 1", "Bản 2"])
        // The same content again is acknowledged, not a conflict: digests are unchanged.
        #expect(try await store.submitVisits([visit], agencyCode: "STNMT", credentialID: nil, receivedAt: Date()) == [.alreadyStored(revision: 2)])
        // A correction after the upgrade is what every read then finds.
        visit.results = "Bản 3"
        #expect(try await store.amendVisits([VisitAmendment(visit: visit, baseRevision: 2)], agencyCode: "STNMT", receivedAt: Date()) == [.stored(revision: 3)])
        #expect(try await store.visits(VisitQuery(agencyCode: "STNMT")).visits.map(\.visit.results) == ["Bản 3"])
        #expect(try await store.revisions(visitID: visit.id).count == 3)
        let kinds = try await store.pool.read { db in try String.fetchAll(db, sql: "SELECT typeof(body) FROM visit_revision") }
        #expect(kinds == ["blob", "blob", "blob"])
    }
}
