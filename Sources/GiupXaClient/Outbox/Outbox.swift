public import Foundation
public import GiupXaModels
import GRDB
import GiupXaFiles

/// The client's local store: visits recorded offline, waiting to be sent, and the cached
/// assignments. SQLite with `synchronous = FULL`: once `add` returns, the visit survives the
/// process being killed or the device losing power. A visit leaves the pending state only
/// when the server's answer for that visit has been recorded.
public final class Outbox: Sendable {
    let queue: DatabaseQueue

    public enum State: String, Sendable, Codable, CaseIterable {
        case pending
        /// The server acknowledged it (stored now or earlier).
        case sent
        /// The server holds a different visit with this id.
        case conflict
        /// The server refused it; the reason is kept.
        case rejected
    }

    public struct Entry: Sendable, Hashable, Codable {
        public var visit: Visit
        public var state: State
        public var recordedAt: Date
        public var acknowledgedAt: Date?
        public var revision: Int?
        /// The server's reason for a conflict or rejection, in the language it was asked in.
        public var message: String?
    }

    init(path: String) throws {
        var config = Configuration()
        config.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
        config.busyMode = .timeout(10)
        // Visits name real people, and the counters guard the credential: owner-only files
        // (SQLite gives -wal and -shm the database's mode).
        try PrivateFile.prepare(path, companions: ["-wal", "-shm"])
        queue = try DatabaseQueue(path: path, configuration: config)
        try queue.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA journal_mode = WAL") }
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(sql: """
                CREATE TABLE outbox_visit (
                    id TEXT PRIMARY KEY,
                    body TEXT NOT NULL,
                    commune_code TEXT NOT NULL,
                    start_at INTEGER NOT NULL,
                    state TEXT NOT NULL DEFAULT 'pending',
                    recorded_at REAL NOT NULL,
                    acknowledged_at REAL,
                    revision INTEGER,
                    message TEXT
                );
                CREATE INDEX outbox_by_state ON outbox_visit(state, recorded_at);
                CREATE TABLE assignment_cache (
                    decision_number TEXT NOT NULL,
                    commune_code TEXT NOT NULL,
                    commune_name TEXT NOT NULL,
                    district_name TEXT NOT NULL,
                    role TEXT NOT NULL,
                    period_start INTEGER NOT NULL,
                    period_end INTEGER NOT NULL,
                    sample INTEGER NOT NULL,
                    PRIMARY KEY (decision_number, commune_code)
                );
                CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
                """)
        }
        migrator.registerMigration("v2-amendments") { db in
            try db.execute(sql: """
                -- Corrections of visits the server already holds, sent after new visits.
                CREATE TABLE outbox_amendment (
                    seq INTEGER PRIMARY KEY AUTOINCREMENT,
                    visit_id TEXT NOT NULL REFERENCES outbox_visit(id),
                    body TEXT NOT NULL,
                    base_revision INTEGER NOT NULL,
                    state TEXT NOT NULL DEFAULT 'pending',
                    recorded_at REAL NOT NULL,
                    acknowledged_at REAL,
                    revision INTEGER,
                    message TEXT
                );
                CREATE INDEX amendment_by_state ON outbox_amendment(state, seq);
                """)
        }
        migrator.registerMigration("v3-records") { db in
            // Visits leave the domain type's Codable shape for the outbox's own format
            // (OutboxRecord): a property renamed in a later release cannot strand them, and a
            // row changed on disk is noticed. A row that does not read keeps its old body and no
            // record, and is reported as damaged.
            try db.execute(sql: "ALTER TABLE outbox_visit ADD COLUMN record BLOB")
            try db.execute(sql: "ALTER TABLE outbox_amendment ADD COLUMN record BLOB")
            for (table, key) in [("outbox_visit", "id"), ("outbox_amendment", "seq")] {
                for row in try Row.fetchAll(db, sql: "SELECT \(key) AS key, body FROM \(table)") {
                    guard let visit = try? Self.decoder.decode(Visit.self, from: Data((row["body"] as String).utf8)) else { continue }
                    try db.execute(
                        sql: "UPDATE \(table) SET record = ?, body = '' WHERE \(key) = ?",
                        arguments: [try OutboxRecord.encode(visit), row["key"] as DatabaseValue])
                }
            }
        }
        try migrator.migrate(queue)
    }

    // MARK: Visits

    /// Records a visit as pending. Adding the same id twice is refused, so a visit can never
    /// be silently replaced before it is sent.
    public func add(_ visit: Visit, now: Date = Date()) throws {
        let skipped = try add([visit], now: now)
        if !skipped.isEmpty { throw ValidationError([FieldIssue(field: "id", reason: .duplicate, value: visit.id.uuidString)]) }
    }

    /// Records visits as pending, all of them or none (one transaction: a kill midway leaves
    /// nothing half-added). A visit already in the outbox with the same id and content is
    /// skipped, so adding a file twice adds nothing new; the same id with other content is
    /// refused (`[i].id` for the i-th of several) and nothing is recorded. Returns the ids skipped.
    @discardableResult
    public func add(_ visits: [Visit], now: Date = Date()) throws -> [UUID] {
        let bodies = try visits.map(OutboxRecord.encode)
        return try queue.write { db in
            var skipped: [UUID] = []
            var seen: [UUID: Data] = [:]
            var issues: [FieldIssue] = []
            for (index, (visit, body)) in zip(visits, bodies).enumerated() {
                let field = visits.count > 1 ? "[\(index)].id" : "id"
                let exists = try Row.fetchOne(db, sql: "SELECT record FROM outbox_visit WHERE id = ?", arguments: [visit.id.uuidString])
                if exists != nil || seen[visit.id] != nil {
                    let stored = exists.flatMap { $0["record"] as Data? } ?? seen[visit.id]
                    if stored == body { skipped.append(visit.id) } else {
                        issues.append(FieldIssue(field: field, reason: .duplicate, value: visit.id.uuidString))
                    }
                    continue
                }
                seen[visit.id] = body
                try db.execute(
                    sql: "INSERT INTO outbox_visit(id, body, record, commune_code, start_at, recorded_at) VALUES (?, '', ?, ?, ?, ?)",
                    arguments: [visit.id.uuidString, body, visit.communeCode,
                                Int64(visit.start.timeIntervalSince1970), now.timeIntervalSince1970])
            }
            // Thrown inside the transaction: it rolls back, so nothing of the batch stays.
            if !issues.isEmpty { throw ValidationError(issues) }
            return skipped
        }
    }

    public func entries(state: State? = nil) throws -> [Entry] {
        try queue.read { db in
            var sql = "SELECT * FROM outbox_visit"
            var arguments: StatementArguments = []
            if let state {
                sql += " WHERE state = ?"
                arguments += [state.rawValue]
            }
            sql += " ORDER BY start_at, id"
            // A damaged row is set aside (`damaged()` names it), so it cannot block the rest.
            return try Row.fetchAll(db, sql: sql, arguments: arguments).compactMap { row in
                guard let visit = try? Self.visit(in: row) else { return nil }
                return Entry(
                    visit: visit,
                    state: State(rawValue: row["state"]) ?? .pending,
                    recordedAt: Date(timeIntervalSince1970: row["recorded_at"]),
                    acknowledgedAt: (row["acknowledged_at"] as Double?).map(Date.init(timeIntervalSince1970:)),
                    revision: row["revision"],
                    message: row["message"])
            }
        }
    }

    /// A visit row that does not read back as it was written.
    public struct DamagedRow: Sendable, Hashable {
        public var id: String
        public var state: State
        public var failure: OutboxRecord.Failure
    }

    /// The visit rows (new visits and corrections) set aside because they do not read back.
    public func damaged() throws -> [DamagedRow] {
        try queue.read { db in
            var rows: [DamagedRow] = []
            for (table, id) in [("outbox_visit", "id"), ("outbox_amendment", "visit_id")] {
                for row in try Row.fetchAll(db, sql: "SELECT \(id) AS id, state, record FROM \(table) ORDER BY \(id)") {
                    do throws(OutboxRecord.Failure) {
                        _ = try Self.visit(in: row)
                    } catch {
                        rows.append(DamagedRow(id: row["id"], state: State(rawValue: row["state"]) ?? .pending, failure: error))
                    }
                }
            }
            return rows
        }
    }

    /// The visit a row's record holds.
    static func visit(in row: Row) throws(OutboxRecord.Failure) -> Visit {
        guard let record = row["record"] as Data? else { throw .malformed }
        return try OutboxRecord.decode(record)
    }

    public func counts() throws -> [State: Int] {
        try stateCounts(table: "outbox_visit")
    }

    /// Rows per state of `table` (outbox_visit or outbox_amendment).
    func stateCounts(table: String) throws -> [State: Int] {
        try queue.read { db in
            var result: [State: Int] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT state, COUNT(*) AS n FROM \(table) GROUP BY state") {
                if let state = State(rawValue: row["state"]) { result[state] = row["n"] }
            }
            return result
        }
    }

    /// The stored JSON of a visit (sorted keys, whole-second dates).

    /// The server's answer for one visit.
    public struct Acknowledgement: Sendable {
        public var id: UUID
        public var state: State
        public var revision: Int?
        public var message: String?

        public init(id: UUID, state: State, revision: Int?, message: String?) {
            self.id = id
            self.state = state
            self.revision = revision
            self.message = message
        }
    }

    /// Records a batch's answers in one transaction.
    public func record(_ acknowledgements: [Acknowledgement], now: Date = Date()) throws {
        try queue.write { db in
            for ack in acknowledgements {
                try db.execute(
                    sql: "UPDATE outbox_visit SET state = ?, acknowledged_at = ?, revision = ?, message = ? WHERE id = ?",
                    arguments: [ack.state.rawValue, now.timeIntervalSince1970, ack.revision, ack.message, ack.id.uuidString])
            }
        }
    }

    // MARK: Assignments

    public struct CachedAssignment: Sendable, Hashable, Codable {
        public var decisionNumber: String
        public var communeCode: String
        public var communeName: String
        public var districtName: String
        public var role: Assignment.Role
        public var period: DateRange
        public var isSample: Bool

        public init(decisionNumber: String, communeCode: String, communeName: String, districtName: String,
                    role: Assignment.Role, period: DateRange, isSample: Bool) {
            self.decisionNumber = decisionNumber
            self.communeCode = communeCode
            self.communeName = communeName
            self.districtName = districtName
            self.role = role
            self.period = period
            self.isSample = isSample
        }
    }

    /// Replaces the cache with a fresh list from the server.
    public func cacheAssignments(_ assignments: [CachedAssignment], now: Date = Date()) throws {
        try queue.write { db in
            try db.execute(sql: "DELETE FROM assignment_cache")
            for a in assignments {
                try db.execute(
                    sql: """
                        INSERT OR REPLACE INTO assignment_cache(decision_number, commune_code, commune_name, district_name, role, period_start, period_end, sample)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [a.decisionNumber, a.communeCode, a.communeName, a.districtName, a.role.rawValue,
                                a.period.start.yyyymmdd, a.period.end.yyyymmdd, a.isSample])
            }
            try db.execute(sql: "INSERT OR REPLACE INTO meta(key, value) VALUES ('assignments_fetched_at', ?)",
                           arguments: [String(now.timeIntervalSince1970)])
        }
    }

    public func cachedAssignments() throws -> (assignments: [CachedAssignment], fetchedAt: Date?) {
        try queue.read { db in
            let rows = try Row.fetchAll(db, sql: "SELECT * FROM assignment_cache ORDER BY period_start, commune_code")
            let fetched = try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'assignments_fetched_at'")
            return (rows.map { row in
                CachedAssignment(
                    decisionNumber: row["decision_number"], communeCode: row["commune_code"],
                    communeName: row["commune_name"], districtName: row["district_name"],
                    role: Assignment.Role(rawValue: row["role"]) ?? .lead,
                    period: DateRange(start: CivilDate(yyyymmdd: row["period_start"])!, end: CivilDate(yyyymmdd: row["period_end"])!),
                    isSample: row["sample"])
            }, fetched.flatMap(Double.init).map(Date.init(timeIntervalSince1970:)))
        }
    }

    /// The rows' form before migration v3 (the visit's Codable JSON), read only by it.
    static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .secondsSince1970
        return decoder
    }()
}
