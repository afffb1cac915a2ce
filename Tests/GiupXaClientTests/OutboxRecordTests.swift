import Foundation
@testable import GiupXaClient
import GiupXaModels
import GRDB
import Testing

/// The outbox's own stored form of a visit: pinned bytes, a checksum that notices a changed row,
/// a damaged row set aside without blocking the rest, and old outboxes migrated.
@Suite struct OutboxRecordTests {
    static let start = Date(timeIntervalSince1970: 1_552_352_400)  // 12/03/2019 08:00 UTC+7

    static func visit(_ n: Int = 0) -> Visit {
        Visit(
            id: UUID(uuidString: "51209E8F-3327-46D0-B56A-41526977A4\(String(format: "%02X", n))")!, communeCode: "03376",
            start: start.addingTimeInterval(Double(n) * 7 * 86_400), end: start.addingTimeInterval(Double(n) * 7 * 86_400 + 86_400),
            cadres: [Cadre(name: "Lò Văn Minh", position: "Chuyên viên")],
            support: [SupportItem(description: "Gạo", quantity: 1000, unit: "kg", valueVND: 15_000_000)])
    }

    static func home() -> ClientHome {
        ClientHome(directory: FileManager.default.temporaryDirectory.appendingPathComponent("giupxa-or-\(UUID().uuidString)"))
    }

    @Test func theRecordsBytesArePinned() throws {
        let record = try OutboxRecord.encode(Self.visit())
        #expect(record.first == 1)
        let hex = record.map { String(format: "%02x", $0) }.joined()
        // Format 1, SHA-256 of the message, then StoredVisit{visit: Visit{…}} as the server stores it.
        #expect(hex == Self.pinned, "\(hex)")
        #expect(try OutboxRecord.decode(record) == Self.visit())
    }

    static let pinned = "0187010b99d15b88b911a7c6b4eadca363dea930187641ee18dd1e88e00f0eee0d0a600a1051209e8f332746d0b56a41526977a400120530333337361890899ce4052090aca1e4052a1e0a0d4cc3b22056c4836e204d696e68120d43687579c3aa6e207669c3aa6e42190a0547e1baa16f110000000000408f401a026b6720c0c39307"

    @Test func aChangedRowIsSetAsideAndNamedAndTheRestStillRead() throws {
        let home = Self.home()
        let outbox = try home.openOutbox()
        try outbox.add([Self.visit(0), Self.visit(1), Self.visit(2)])
        // One digit changed on the disk, behind the outbox's back.
        let queue = try DatabaseQueue(path: home.outboxPath)
        try queue.write { db in
            var record = try Data.fetchOne(db, sql: "SELECT record FROM outbox_visit WHERE id = ?", arguments: [Self.visit(1).id.uuidString])!
            record[record.count - 3] ^= 0x01
            try db.execute(sql: "UPDATE outbox_visit SET record = ? WHERE id = ?", arguments: [record, Self.visit(1).id.uuidString])
        }
        #expect(try outbox.entries(state: .pending).map(\.visit.id) == [Self.visit(0).id, Self.visit(2).id])
        let damaged = try outbox.damaged()
        #expect(damaged.map(\.id) == [Self.visit(1).id.uuidString])
        #expect(damaged.first?.failure == .checksum)
    }

    @Test func anOutboxOfTheOldFormatIsMigrated() throws {
        let home = Self.home()
        try FileManager.default.createDirectory(at: URL(fileURLWithPath: home.outboxPath).deletingLastPathComponent(), withIntermediateDirectories: true)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.dateEncodingStrategy = .secondsSince1970
        let json = String(decoding: try encoder.encode(Self.visit()), as: UTF8.self)
        // The two tables as migrations v1 and v2 left them, with one pending visit and one broken row.
        let old = try DatabaseQueue(path: home.outboxPath)
        try old.write { db in
            try db.execute(sql: """
                CREATE TABLE grdb_migrations (identifier TEXT NOT NULL PRIMARY KEY);
                INSERT INTO grdb_migrations VALUES ('v1'), ('v2-amendments');
                CREATE TABLE outbox_visit (id TEXT PRIMARY KEY, body TEXT NOT NULL, commune_code TEXT NOT NULL, start_at INTEGER NOT NULL,
                    state TEXT NOT NULL DEFAULT 'pending', recorded_at REAL NOT NULL, acknowledged_at REAL, revision INTEGER, message TEXT);
                CREATE INDEX outbox_by_state ON outbox_visit(state, recorded_at);
                CREATE TABLE assignment_cache (decision_number TEXT NOT NULL, commune_code TEXT NOT NULL, commune_name TEXT NOT NULL,
                    district_name TEXT NOT NULL, role TEXT NOT NULL, period_start INTEGER NOT NULL, period_end INTEGER NOT NULL,
                    sample INTEGER NOT NULL, PRIMARY KEY (decision_number, commune_code));
                CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
                CREATE TABLE outbox_amendment (seq INTEGER PRIMARY KEY AUTOINCREMENT, visit_id TEXT NOT NULL REFERENCES outbox_visit(id),
                    body TEXT NOT NULL, base_revision INTEGER NOT NULL, state TEXT NOT NULL DEFAULT 'pending', recorded_at REAL NOT NULL,
                    acknowledged_at REAL, revision INTEGER, message TEXT);
                CREATE INDEX amendment_by_state ON outbox_amendment(state, seq);
                """)
            try db.execute(
                sql: "INSERT INTO outbox_visit(id, body, commune_code, start_at, recorded_at) VALUES (?, ?, '03376', 0, 0), ('BROKEN', '{not json', '03376', 0, 0)",
                arguments: [Self.visit().id.uuidString, json])
        }
        try old.close()
        let outbox = try home.openOutbox()
        #expect(try outbox.entries().map(\.visit) == [Self.visit()])
        #expect(try outbox.damaged().map(\.id) == ["BROKEN"])
    }
}
