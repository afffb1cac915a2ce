import Foundation
import GRDB
@testable import GiupXaStorage
import Testing

/// Migration v3-visit-credential: visits stored before it go to their agency's credential where
/// the agency has exactly one in force, so that device's agency dictionary (PROTOCOL.md §9.5)
/// is accepted at once after an upgrade; with several, to none.
@Suite struct VisitCredentialMigrationTests {
    @Test func earlierVisitsGoToTheAgencysOnlyCredential() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("giupxa-mig-\(UUID().uuidString).sqlite").path
        let queue = try DatabaseQueue(path: path)
        try Schema.migrator.migrate(queue, upTo: "v2-credentials")
        try queue.write { db in
            try db.execute(sql: """
                INSERT INTO district(code, name) VALUES ('301', 'Điện Biên');
                INSERT INTO commune(code, name, search_key, kind, district_code, dataset) VALUES ('03376', 'Keo Lôm', 'keo lom', 'xa', '301', '2017');
                INSERT INTO agency(code, name, search_key, kind) VALUES ('STNMT', 'Sở TN&MT', 'so tn mt', 'so'), ('SYT', 'Sở Y tế', 'so y te', 'so');
                -- STNMT: one credential in force (and one revoked); SYT: two in force.
                INSERT INTO credential(id, role, agency_code, public_key, psk, issued_at, revoked_at) VALUES
                    (1, 'agency', 'STNMT', x'01', x'00', 0, 5), (2, 'agency', 'STNMT', x'02', x'00', 6, NULL),
                    (3, 'agency', 'SYT', x'03', x'00', 0, NULL), (4, 'agency', 'SYT', x'04', x'00', 0, NULL);
                INSERT INTO visit(id, agency_code, commune_code, start_at, end_at, revision, content_sha256, body, received_at) VALUES
                    ('A', 'STNMT', '03376', 1, 2, 1, x'00', '{}', 0), ('B', 'SYT', '03376', 1, 2, 1, x'00', '{}', 0);
                """)
        }
        try Schema.migrator.migrate(queue)
        let owners = try queue.read { db in
            try Row.fetchAll(db, sql: "SELECT id, credential_id FROM visit ORDER BY id").map { ($0["id"] as String, $0["credential_id"] as Int64?) }
        }
        #expect(owners.map(\.0) == ["A", "B"])
        #expect(owners.map(\.1) == [2, nil])
    }
}
