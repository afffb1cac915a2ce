import Crypto
import GiupXaFiles
public import Foundation
public import GiupXaModels
import GRDB

/// The embedded default store: one SQLite file in WAL mode with `synchronous = FULL`, so a
/// committed transaction survives a crash or power cut. Writes are serialised by GRDB's pool;
/// reads run concurrently with them. Visits and handshake counters, written by many connections
/// at once, go through group commit: concurrent writes share a transaction and its fsync.
public final class SQLiteStore: GiupXaStore {
    let pool: DatabasePool
    let commits: GroupCommit
    let checkpointer: Checkpointer
    let assignmentCache: AssignmentCache
    let admissions = Admissions()

    /// Opens (creating if needed) the database at `path` and runs pending migrations.
    /// `assignmentCacheLifetime` bounds how long a decision imported by another process can go
    /// unseen by ListAssignments (AssignmentCache).
    public convenience init(path: String, assignmentCacheLifetime: Duration = .seconds(1)) throws {
        do {
            try self.init(opening: path, assignmentCacheLifetime: assignmentCacheLifetime)
        } catch let error as DatabaseError where Self.isDamage(error) {
            // Not a database, or one SQLite cannot read: a message an operator can act on.
            throw StoreError.damaged([error.message ?? "\(error.resultCode)"])
        }
    }

    private init(opening path: String, assignmentCacheLifetime: Duration) throws {
        assignmentCache = AssignmentCache(lifetime: assignmentCacheLifetime)
        var config = Configuration()
        config.foreignKeysEnabled = true
        config.prepareDatabase { db in
            // WAL + FULL: each commit fsyncs the WAL, so an acknowledged visit is on disk.
            try db.execute(sql: "PRAGMA synchronous = FULL")
            // SQLite keeps a page's content before a savepoint (group commit's, when a job fails)
            // or a statement in a sub-journal, a temporary file by default: with a savepoint per
            // job that was more bytes written than the database itself got (14 of 24 KB per visit,
            // BENCHMARKS.md, "Ingest, 03/12/2026, morning"). In memory it is a copy dropped at
            // commit.
            try db.execute(sql: "PRAGMA temp_store = MEMORY")
            if !db.configuration.readonly {
                // The writer touches index pages all over the file: with SQLite's default 2 MB
                // it read most of them back for every transaction. 32 MiB, filled only as used.
                try db.execute(sql: "PRAGMA cache_size = -32768")
                // Checkpoints are the Checkpointer's; this is the backstop (32 MiB of log).
                try db.execute(sql: "PRAGMA wal_autocheckpoint = 8192")
            }
        }
        config.busyMode = .timeout(10)
        // Visit logs name real people: the database is its owner's only. SQLite gives the
        // -wal and -shm files it creates the database file's mode.
        try PrivateFile.prepare(path, companions: ["-wal", "-shm"])
        pool = try DatabasePool(path: path, configuration: config)
        let checkpointer = try Checkpointer(path: path)
        self.checkpointer = checkpointer
        commits = GroupCommit(pool: pool, committed: { checkpointer.committed() })
        // A database a newer server has migrated is not ours to write: our statements would
        // fail half-way through a sync, or succeed on tables that no longer mean what we think.
        let migrator = Schema.migrator
        let unknown = try pool.read { db in try migrator.appliedIdentifiers(db).subtracting(migrator.migrations) }
        guard unknown.isEmpty else { throw StoreError.newerSchema(unknown.sorted()) }
        try migrator.migrate(pool)
    }

    /// What SQLite's check finds wrong with the file (empty: nothing). `full` runs
    /// `integrity_check`, which also compares every index with its table; otherwise
    /// `quick_check`, fast enough for every start.
    public func integrityProblems(full: Bool = false) async throws -> [String] {
        do {
            return try await pool.read { db in
                let findings = try String.fetchAll(db, sql: full ? "PRAGMA integrity_check(20)" : "PRAGMA quick_check(20)")
                return findings == ["ok"] ? [] : findings
            }
        } catch let error as DatabaseError where Self.isDamage(error) {
            // So damaged that the check itself cannot read the file.
            return [error.message ?? "\(error.resultCode)"]
        }
    }

    // MARK: Reference data

    public func loadDefaultData(sampleDecision: Bool) async throws -> DefaultDataSummary {
        let communes = DefaultData.communes
        let agencies = DefaultData.agencies
        let decision = DefaultData.sampleDecision
        let assignments = DefaultData.sampleAssignments
        try await pool.write { db in
            for commune in communes {
                try db.execute(
                    sql: "INSERT OR IGNORE INTO district(code, name) VALUES (?, ?)",
                    arguments: [commune.district.code, commune.district.name])
                try db.execute(
                    sql: """
                        INSERT OR IGNORE INTO commune(code, name, search_key, kind, district_code, dataset)
                        VALUES (?, ?, ?, ?, ?, '2017')
                        """,
                    arguments: [commune.code, commune.name, commune.searchKey, commune.kind.rawValue, commune.district.code])
            }
            for agency in agencies {
                try Self.insertAgency(agency, db: db, ignoreExisting: true)
            }
        }
        assignmentCache.invalidate()
        if sampleDecision { _ = try await importDecision(decision, assignments: assignments) }
        return DefaultDataSummary(
            districts: Set(communes.map(\.district.code)).count, communes: communes.count,
            agencies: agencies.count, assignments: sampleDecision ? assignments.count : 0)
    }

    public func communes() async throws -> [Commune] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT c.code, c.name, c.kind, d.code AS dcode, d.name AS dname
                FROM commune c JOIN district d ON d.code = c.district_code ORDER BY c.code
                """).map(Self.commune(from:))
        }
    }

    public func agencies() async throws -> [Agency] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT code, name, kind FROM agency ORDER BY code").map(Self.agency(from:))
        }
    }

    public func agency(code: String) async throws -> Agency? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: "SELECT code, name, kind FROM agency WHERE code = ?", arguments: [code.uppercased()])
                .map(Self.agency(from:))
        }
    }

    public func addAgency(_ agency: Agency) async throws {
        try await pool.write { db in
            if try Row.fetchOne(db, sql: "SELECT 1 FROM agency WHERE code = ?", arguments: [agency.code]) != nil {
                throw StoreError.agencyExists(agency.code)
            }
            try Self.insertAgency(agency, db: db, ignoreExisting: false)
        }
    }

    public func addAgencies(_ agencies: [Agency]) async throws {
        try await pool.write { db in
            for agency in agencies { try Self.insertAgency(agency, db: db, ignoreExisting: false) }
        }
    }

    // MARK: Decisions

    public func importDecision(_ decision: Decision, assignments: [Assignment]) async throws -> DecisionImportSummary {
        let digest = Self.digest(decision: decision, assignments: assignments)
        defer { assignmentCache.invalidate() }
        return try await pool.write { db in
            if let existing = try Data.fetchOne(
                db, sql: "SELECT content_sha256 FROM decision WHERE number = ?", arguments: [decision.number])
            {
                guard existing == digest else { throw StoreError.decisionConflict(decision.number) }
                return DecisionImportSummary(decisionNumber: decision.number, assignments: assignments.count, created: false)
            }
            try db.execute(
                sql: """
                    INSERT INTO decision(number, signed_on, period_start, period_end, standing_agency_code, is_sample, content_sha256)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    decision.number, decision.signedOn.yyyymmdd, decision.period.start.yyyymmdd,
                    decision.period.end.yyyymmdd, decision.standingAgencyCode, decision.isSample, digest,
                ])
            for a in assignments {
                try db.execute(
                    sql: "INSERT INTO assignment(decision_number, agency_code, commune_code, role) VALUES (?, ?, ?, ?)",
                    arguments: [decision.number, a.agencyCode, a.communeCode, a.role.rawValue])
            }
            return DecisionImportSummary(decisionNumber: decision.number, assignments: assignments.count, created: true)
        }
    }

    public func decisions() async throws -> [Decision] {
        try await pool.read { db in try Self.decisions(db) }
    }

    /// Every decision, in signing order.
    static func decisions(_ db: Database) throws -> [Decision] {
        try Row.fetchAll(db.cachedStatement(sql: "SELECT * FROM decision ORDER BY signed_on, number")).map { row in
            Decision(
                number: row["number"],
                signedOn: CivilDate(yyyymmdd: row["signed_on"])!,
                period: DateRange(start: CivilDate(yyyymmdd: row["period_start"])!, end: CivilDate(yyyymmdd: row["period_end"])!),
                standingAgencyCode: row["standing_agency_code"],
                isSample: row["is_sample"])
        }
    }

    public func assignments(agencyCode: String, on day: CivilDate?) async throws -> [StoredAssignment] {
        try await assignmentCache.assignments(agencyCode: agencyCode.uppercased(), on: day) { agency in
            try await self.pool.read { db in try Self.assignments(agencyCode: agency, db: db) }
        }
    }

    /// All of an agency's assignments, in the order ListAssignments answers them.
    private static func assignments(agencyCode: String, db: Database) throws -> [StoredAssignment] {
        try Row.fetchAll(
            db.cachedStatement(sql: """
                SELECT a.decision_number, a.agency_code, a.role, d.period_start, d.period_end, d.is_sample,
                       c.code, c.name, c.kind, dist.code AS dcode, dist.name AS dname
                FROM assignment a
                JOIN decision d ON d.number = a.decision_number
                JOIN commune c ON c.code = a.commune_code
                JOIN district dist ON dist.code = c.district_code
                WHERE a.agency_code = ?
                ORDER BY d.period_start, c.code
                """),
            arguments: [agencyCode]
        ).map { row in
            let commune = Self.commune(from: row)
            let assignment = Assignment(
                decisionNumber: row["decision_number"], agencyCode: row["agency_code"], communeCode: commune.code,
                role: Assignment.Role(rawValue: row["role"]) ?? .lead)
            let period = DateRange(start: CivilDate(yyyymmdd: row["period_start"])!, end: CivilDate(yyyymmdd: row["period_end"])!)
            return StoredAssignment(
                detail: AssignmentDetail(assignment: assignment, commune: commune, period: period),
                isSample: row["is_sample"])
        }
    }

    // MARK: Visits

    public func submitVisits(
        _ visits: [Visit], agencyCode: String, credentialID: Int64?, source: VisitSource, receivedAt: Date
    ) async throws -> [SubmitOutcome] {
        let agency = agencyCode.uppercased()
        let sourceText = source.text
        // Encode outside the write lock: only the inserts need to be serialised.
        // The id's text too (uuidString formats with sprintf): the writer thread is the one that
        // bounds ingest, so it gets only the SQL.
        let encoded = try VisitEncoding.owned(visits, by: agency).map { ($0.visit, $0.body, $0.digest, $0.visit.id.uuidString) }
        let time = receivedAt.timeIntervalSince1970
        // One transaction for the whole batch (shared with concurrent calls): one fsync.
        let (commits, admissions) = (self.commits, self.admissions)
        return try await commits.write { db in
            var outcomes: [SubmitOutcome] = []
            outcomes.reserveCapacity(encoded.count)
            let round = commits.rounds
            // Looked up once per batch, not once per visit (the cache is keyed by the SQL text).
            let insertVisit = try db.cachedStatement(sql: """
                INSERT INTO visit(id, agency_code, commune_code, start_at, end_at, revision, content_sha256, received_at, credential_id)
                VALUES (?, ?, ?, ?, ?, 1, ?, ?, ?) ON CONFLICT(id) DO NOTHING
                """)
            let insertRevision = try db.cachedStatement(sql: """
                INSERT INTO visit_revision(visit_seq, revision, body, content_sha256, submitted_by, source, received_at)
                VALUES (?, 1, ?, ?, ?, ?, ?)
                """)
            let storedRow = try db.cachedStatement(sql: "SELECT revision, content_sha256, credential_id, agency_code FROM visit WHERE id = ?")
            for (visit, body, digest, id) in encoded {
                let row: Row
                if let refusal = try admissions.refusal(visit, agency: agency, round: round, db: db) {
                    // A visit already stored is answered as such, even one now refused (below).
                    // Another agency's visit is not mentioned: the refusal is all the caller learns.
                    guard let stored = try Row.fetchOne(storedRow, arguments: [id]), (stored["agency_code"] as String) == agency else {
                        outcomes.append(refusal)
                        continue
                    }
                    row = stored
                } else {
                    // A new visit is inserted at once: the id's unique index is searched once, by
                    // the INSERT, instead of by a SELECT first and the INSERT again.
                    try insertVisit.execute(arguments: [
                        id, agency, visit.communeCode, Int64(visit.start.timeIntervalSince1970),
                        Int64(visit.end.timeIntervalSince1970), digest, time, credentialID,
                    ])
                    if db.changesCount == 1 {
                        try insertRevision.execute(arguments: [db.lastInsertedRowID, body, digest, agency, sourceText, time])
                        outcomes.append(.stored(revision: 1))
                        continue
                    }
                    // Stored before (a resend, or another agency's id): the same content or a conflict.
                    guard let stored = try Row.fetchOne(storedRow, arguments: [id]) else {
                        // Not reached: the INSERT has just found the row, in this transaction.
                        throw DatabaseError(resultCode: .SQLITE_INTERNAL, message: "visit \(id) not found after a conflict")
                    }
                    row = stored
                }
                // Another agency's id: said to be taken, and nothing more (not its revision).
                guard (row["agency_code"] as String) == agency else {
                    outcomes.append(.idTaken)
                    continue
                }
                let revision: Int = row["revision"]
                let stored: Data = row["content_sha256"]
                guard stored == digest else {
                    outcomes.append(.conflict(revision: revision))
                    continue
                }
                // A visit that came in an offline bundle becomes the first device to send it
                // over the network's: that device now counts it as acknowledged (§9.5).
                if let credentialID, (row["credential_id"] as Int64?) == nil {
                    try db.cachedStatement(sql: "UPDATE visit SET credential_id = ? WHERE id = ? AND credential_id IS NULL")
                        .execute(arguments: [credentialID, id])
                }
                outcomes.append(.alreadyStored(revision: revision))
            }
            return outcomes
        }
    }

    public func amendVisits(_ amendments: [VisitAmendment], agencyCode: String, source: VisitSource, receivedAt: Date) async throws -> [SubmitOutcome] {
        let agency = agencyCode.uppercased()
        let sourceText = source.text
        let encoded = try amendments.map { amendment -> (VisitAmendment, Data, Data) in
            let (visit, body, digest) = try VisitEncoding.owned(amendment.visit, by: agency)
            return (VisitAmendment(visit: visit, baseRevision: amendment.baseRevision), body, digest)
        }
        let time = receivedAt.timeIntervalSince1970
        let (commits, admissions) = (self.commits, self.admissions)
        return try await commits.write { db in
            var outcomes: [SubmitOutcome] = []
            let round = commits.rounds
            for (amendment, body, digest) in encoded {
                let visit = amendment.visit
                let id = visit.id.uuidString
                guard let row = try Row.fetchOne(
                    db, sql: "SELECT seq, revision, content_sha256 FROM visit WHERE id = ? AND agency_code = ?", arguments: [id, agency])
                else {
                    outcomes.append(.notFound)
                    continue
                }
                let latest: Int = row["revision"]
                // A retried amendment whose first attempt committed finds its own content.
                if (row["content_sha256"] as Data) == digest {
                    outcomes.append(.alreadyStored(revision: latest))
                    continue
                }
                guard amendment.baseRevision == latest else {
                    outcomes.append(.conflict(revision: latest))
                    continue
                }
                if let refusal = try admissions.refusal(visit, agency: agency, round: round, db: db) {
                    outcomes.append(refusal)
                    continue
                }
                let revision = latest + 1
                let seq: Int64 = row["seq"]
                try db.execute(
                    sql: """
                        UPDATE visit SET commune_code = ?, start_at = ?, end_at = ?, revision = ?, content_sha256 = ?, received_at = ?
                        WHERE seq = ?
                        """,
                    arguments: [
                        visit.communeCode, Int64(visit.start.timeIntervalSince1970), Int64(visit.end.timeIntervalSince1970),
                        revision, digest, time, seq,
                    ])
                try db.execute(
                    sql: """
                        INSERT INTO visit_revision(visit_seq, revision, body, content_sha256, submitted_by, source, received_at)
                        VALUES (?, ?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [seq, revision, body, digest, agency, sourceText, time])
                outcomes.append(.stored(revision: revision))
            }
            return outcomes
        }
    }

    public func visitIDs(prefix: String, limit: Int) async throws -> [UUID] {
        let wanted = prefix.uppercased()
        guard !wanted.isEmpty, wanted.allSatisfy({ $0.isHexDigit || $0 == "-" }) else { return [] }
        return try await pool.read { db in
            // GLOB is case-sensitive and uses the primary key's index; ids are upper-case text.
            try String.fetchAll(db, sql: "SELECT id FROM visit WHERE id GLOB ? ORDER BY id LIMIT ?", arguments: [wanted + "*", limit])
                .compactMap(UUID.init(uuidString:))
        }
    }

    public func revisions(visitID: UUID) async throws -> [VisitRevision] {
        try await pool.read { db in
            try Row.fetchAll(
                db, sql: """
                    SELECT r.revision, r.body, r.submitted_by, r.source, r.received_at
                    FROM visit v JOIN visit_revision r ON r.visit_seq = v.seq WHERE v.id = ? ORDER BY r.revision
                    """,
                arguments: [visitID.uuidString]
            ).map { row in
                VisitRevision(
                    revision: row["revision"], visit: try VisitEncoding.decode(row["body"] as Data),
                    submittedBy: row["submitted_by"], source: (row["source"] as String?).flatMap(VisitSource.init(text:)),
                    receivedAt: Date(timeIntervalSince1970: row["received_at"]))
            }
        }
    }

    public func recentVisits(credentialID: Int64, count: Int) async throws -> [Visit] {
        try await pool.read { db in
            // visit_by_credential finds the credential's visits (in the order they were
            // stored); the inner query keeps the newest `count` by (start, id) as it reads their
            // small rows, and only those are joined to their bodies.
            try Row.fetchAll(
                db.cachedStatement(sql: """
                    SELECT r.body FROM (
                        SELECT seq, id, revision, start_at FROM visit WHERE credential_id = ?
                        ORDER BY start_at DESC, id DESC LIMIT ?
                    ) v JOIN visit_revision r ON r.visit_seq = v.seq AND r.revision = v.revision
                    ORDER BY v.start_at DESC, v.id DESC
                    """),
                arguments: [credentialID, count]
            ).map { try VisitEncoding.decode($0["body"] as Data) }
        }
    }

    public func visits(_ query: VisitQuery) async throws -> VisitPage {
        let limit = max(1, min(query.limit, 1000))
        return try await pool.read { db in
            var sql = "SELECT v.id, v.start_at, v.revision, r.body, v.received_at FROM visit v \(Self.latestBody) WHERE 1 = 1"
            var arguments: StatementArguments = []
            if let agency = query.agencyCode {
                sql += " AND v.agency_code = ?"
                arguments += [agency.uppercased()]
            }
            if let commune = query.communeCode {
                sql += " AND v.commune_code = ?"
                arguments += [commune]
            }
            if let after = query.after {
                sql += " AND (v.start_at, v.id) > (?, ?)"
                arguments += [after.start, after.id]
            }
            sql += " ORDER BY v.start_at, v.id LIMIT ?"
            arguments += [limit + 1]
            let rows = try Row.fetchAll(db, sql: sql, arguments: arguments)
            var visits: [StoredVisit] = []
            for row in rows.prefix(limit) {
                let visit = try VisitEncoding.decode(row["body"] as Data)
                visits.append(StoredVisit(visit: visit, revision: row["revision"], receivedAt: Date(timeIntervalSince1970: row["received_at"])))
            }
            let next = rows.count > limit ? rows[limit - 1] : nil
            return VisitPage(visits: visits, nextCursor: next.map { VisitCursor(start: $0["start_at"], id: $0["id"]) })
        }
    }

    // MARK: Reports

    public func allAssignments() async throws -> [Assignment] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT decision_number, agency_code, commune_code, role FROM assignment ORDER BY decision_number, agency_code, commune_code").map { row in
                Assignment(
                    decisionNumber: row["decision_number"], agencyCode: row["agency_code"], communeCode: row["commune_code"],
                    role: Assignment.Role(rawValue: row["role"]) ?? .lead)
            }
        }
    }

    public func latestVisits(startingBefore instant: Date, agencyCode: String?) async throws -> [Visit] {
        try await pool.read { db in
            let rows = try Row.fetchAll(
                db,
                sql: "SELECT r.body FROM visit v \(Self.latestBody) WHERE v.start_at < ? AND (? IS NULL OR v.agency_code = ?) ORDER BY v.start_at, v.id",
                arguments: [Int64(instant.timeIntervalSince1970.rounded(.up)), agencyCode, agencyCode])
            return try rows.map { try VisitEncoding.decode($0["body"] as Data) }
        }
    }

    /// A visit's body is written once, with its revision: `visit` holds the latest revision's
    /// number and the columns queries filter on, and this join finds that revision's body.
    static let latestBody = "JOIN visit_revision r ON r.visit_seq = v.seq AND r.revision = v.revision"

    // MARK: Row mapping

    private static func insertAgency(_ agency: Agency, db: Database, ignoreExisting: Bool) throws {
        try db.execute(
            sql: "INSERT \(ignoreExisting ? "OR IGNORE " : "")INTO agency(code, name, search_key, kind) VALUES (?, ?, ?, ?)",
            arguments: [agency.code, agency.name, agency.searchKey, agency.kind])
    }

    static func agency(from row: Row) -> Agency {
        Agency(code: row["code"], name: row["name"], kind: row["kind"])
    }

    private static func commune(from row: Row) -> Commune {
        Commune(
            code: row["code"], name: row["name"], kind: Commune.Kind(rawValue: row["kind"]) ?? .xa,
            district: District(code: row["dcode"], name: row["dname"]))
    }

    /// Identity of a decision's content, for idempotent re-imports.
    private static func digest(decision: Decision, assignments: [Assignment]) -> Data {
        var text = "\(decision.number)|\(decision.signedOn.yyyymmdd)|\(decision.period.start.yyyymmdd)|\(decision.period.end.yyyymmdd)|\(decision.standingAgencyCode)"
        for a in assignments.sorted(by: { ($0.agencyCode, $0.communeCode) < ($1.agencyCode, $1.communeCode) }) {
            text += "\n\(a.agencyCode)|\(a.communeCode)|\(a.role.rawValue)"
        }
        return Data(SHA256.hash(data: Data(text.utf8)))
    }
}
