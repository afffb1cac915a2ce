import Crypto
import Foundation
import GRDB

/// Versioned migrations of the SQLite schema. Never edit a registered migration: add one.
enum Schema {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-reference-data") { db in
            try db.execute(sql: """
                CREATE TABLE district (
                    code TEXT PRIMARY KEY,
                    name TEXT NOT NULL
                );
                -- Commune codes are reused across reorganisations: `dataset` says which set of
                -- units a code belongs to, so rows never join across periods on code alone.
                CREATE TABLE commune (
                    code TEXT PRIMARY KEY,
                    name TEXT NOT NULL,
                    search_key TEXT NOT NULL,
                    kind TEXT NOT NULL,
                    district_code TEXT NOT NULL REFERENCES district(code),
                    dataset TEXT NOT NULL
                );
                CREATE TABLE agency (
                    code TEXT PRIMARY KEY,
                    name TEXT NOT NULL,
                    search_key TEXT NOT NULL,
                    kind TEXT NOT NULL
                );
                CREATE TABLE credential (
                    id INTEGER PRIMARY KEY,
                    agency_code TEXT NOT NULL REFERENCES agency(code),
                    secret_sha256 BLOB NOT NULL UNIQUE,
                    issued_at REAL NOT NULL,
                    revoked_at REAL
                );
                CREATE TABLE decision (
                    number TEXT PRIMARY KEY,
                    signed_on INTEGER NOT NULL,
                    period_start INTEGER NOT NULL,
                    period_end INTEGER NOT NULL,
                    standing_agency_code TEXT NOT NULL,
                    is_sample INTEGER NOT NULL,
                    content_sha256 BLOB NOT NULL
                );
                CREATE TABLE assignment (
                    decision_number TEXT NOT NULL REFERENCES decision(number),
                    agency_code TEXT NOT NULL REFERENCES agency(code),
                    commune_code TEXT NOT NULL REFERENCES commune(code),
                    role TEXT NOT NULL,
                    PRIMARY KEY (decision_number, agency_code, commune_code)
                );
                CREATE INDEX assignment_by_agency ON assignment(agency_code);
                """)
        }
        migrator.registerMigration("v1-visits") { db in
            try db.execute(sql: """
                -- The latest revision of each visit, with the columns reports filter on.
                CREATE TABLE visit (
                    id TEXT PRIMARY KEY,
                    agency_code TEXT NOT NULL REFERENCES agency(code),
                    commune_code TEXT NOT NULL REFERENCES commune(code),
                    start_at INTEGER NOT NULL,
                    end_at INTEGER NOT NULL,
                    revision INTEGER NOT NULL,
                    content_sha256 BLOB NOT NULL,
                    body TEXT NOT NULL,
                    received_at REAL NOT NULL
                );
                CREATE INDEX visit_by_agency ON visit(agency_code, start_at, id);
                CREATE INDEX visit_by_start ON visit(start_at, id);
                -- Every revision ever accepted, so corrections never lose history.
                CREATE TABLE visit_revision (
                    visit_id TEXT NOT NULL REFERENCES visit(id),
                    revision INTEGER NOT NULL,
                    body TEXT NOT NULL,
                    content_sha256 BLOB NOT NULL,
                    submitted_by TEXT NOT NULL,
                    received_at REAL NOT NULL,
                    PRIMARY KEY (visit_id, revision)
                );
                """)
        }
        // v2 credentials (PROTOCOL.md §12): the client's static public key and psk instead of
        // a secret's digest, agency or operator owner, and the anti-replay counter. v1 secrets
        // cannot be converted (only their digest was kept): they are dropped and reissued.
        migrator.registerMigration("v2-credentials") { db in
            try db.execute(sql: """
                DROP TABLE credential;
                CREATE TABLE credential (
                    id INTEGER PRIMARY KEY,
                    role TEXT NOT NULL CHECK (role IN ('agency', 'operator')),
                    agency_code TEXT REFERENCES agency(code),
                    operator_name TEXT,
                    public_key BLOB NOT NULL UNIQUE,
                    psk BLOB NOT NULL,
                    last_counter INTEGER NOT NULL DEFAULT 0,
                    issued_at REAL NOT NULL,
                    revoked_at REAL,
                    CHECK ((role = 'agency') = (agency_code IS NOT NULL)),
                    CHECK ((role = 'operator') = (operator_name IS NOT NULL))
                );
                CREATE TABLE server_key (
                    id INTEGER PRIMARY KEY CHECK (id = 1),
                    private_key BLOB NOT NULL,
                    created_at REAL NOT NULL
                );
                """)
        }
        // Which credential's connection first stored each visit: an agency dictionary (PROTOCOL.md
        // §9.5) is a device's own recent visits, and each device has its credential. Offline
        // bundles have none. Earlier visits go to their agency's credential where it has exactly
        // one in force (its one device holds them); with several, nobody can tell whose they were.
        migrator.registerMigration("v3-visit-credential") { db in
            try db.execute(sql: """
                ALTER TABLE visit ADD COLUMN credential_id INTEGER;
                UPDATE visit SET credential_id = (
                    SELECT CASE WHEN COUNT(*) = 1 THEN MIN(c.id) END FROM credential c
                    WHERE c.agency_code = visit.agency_code AND c.revoked_at IS NULL);
                CREATE INDEX visit_by_credential ON visit(credential_id, start_at, id) WHERE credential_id IS NOT NULL;
                """)
        }
        // Each body is written once, in visit_revision (the latest one is found by the visit's
        // revision): ingest wrote every new visit's body twice.
        migrator.registerMigration("v4-visit-body-once") { db in
            try db.execute(sql: "ALTER TABLE visit DROP COLUMN body")
        }
        // The canonical body becomes the visit's protobuf message instead of JSON (VisitEncoding):
        // every stored revision is re-encoded and its digest recomputed, so a visit resent as it
        // was is still recognised as already stored, not taken for a conflict.
        migrator.registerMigration("v5-visit-body-protobuf") { db in
            // Row ids first: no table is scanned while it is being updated.
            let rowids = try Int64.fetchAll(db, sql: "SELECT rowid FROM visit_revision")
            let read = try db.makeStatement(sql: "SELECT body FROM visit_revision WHERE rowid = ?")
            let update = try db.makeStatement(sql: "UPDATE visit_revision SET body = ?, content_sha256 = ? WHERE rowid = ?")
            for rowid in rowids {
                guard let legacy = try String.fetchOne(read, arguments: [rowid]) else { continue }
                let body = try VisitEncoding.body(VisitEncoding.decodeLegacyJSON(legacy))
                try update.execute(arguments: [body, VisitEncoding.digest(body), rowid])
            }
            try db.execute(sql: """
                UPDATE visit SET content_sha256 = COALESCE((
                    SELECT r.content_sha256 FROM visit_revision r WHERE r.visit_id = visit.id AND r.revision = visit.revision),
                    content_sha256)
                """)
        }
        // visit_by_credential was ordered (credential, start, id): a batch of visits on many dates
        // wrote one index page per visit, the largest share of the write-ahead log on ingest
        // (BENCHMARKS.md, "Ingest, 03/12/2026, morning"). Ordered by credential alone (then rowid,
        // which grows), a batch appends to the end of its credential's run; the agency-dictionary
        // read sorts the credential's visits instead (SQLiteStore.recentVisits).
        migrator.registerMigration("v6-visit-credential-append") { db in
            try db.execute(sql: """
                DROP INDEX visit_by_credential;
                CREATE INDEX visit_by_credential ON visit(credential_id) WHERE credential_id IS NOT NULL;
                """)
        }
        // visit_by_agency and visit_by_start carried the 36-character id after the start time,
        // only to order visits that start in the same second. Without it an entry is a fifth of
        // the size, so the index pages a round of ingest adds to split a fifth as often: the
        // server wrote 9.7 KB per stored visit instead of 13.4 (BENCHMARKS.md, "Ingest,
        // 03/12/2026, afternoon"). Listing order is unchanged: SQLite sorts each run of equal
        // start times by id as it reads.
        migrator.registerMigration("v7-start-indexes-without-id") { db in
            try db.execute(sql: """
                DROP INDEX visit_by_agency;
                CREATE INDEX visit_by_agency ON visit(agency_code, start_at);
                DROP INDEX visit_by_start;
                CREATE INDEX visit_by_start ON visit(start_at);
                """)
        }
        // visit_revision found its visit by the 36-character id: in every row and in its primary
        // key's index, searched and compared as text on every insert and every read of a body.
        // It now finds it by the visit's row number, an explicit INTEGER PRIMARY KEY (`seq`) so
        // that no VACUUM can renumber it, and the id stays unique in `visit`. A new visit's
        // revision row is 40 bytes smaller and its index entry two integers: on ingest the
        // server spent 46–49 µs of CPU per stored visit instead of 53–60 (BENCHMARKS.md,
        // "Ingest, 03/12/2026, afternoon"). The tables are rebuilt as SQLite's ALTER TABLE
        // documentation prescribes, with foreign keys checked once at the end (GRDB's migrator).
        migrator.registerMigration("v8-revisions-by-visit-seq") { db in
            try db.execute(sql: """
                CREATE TABLE visit_new (
                    seq INTEGER PRIMARY KEY,
                    id TEXT NOT NULL UNIQUE,
                    agency_code TEXT NOT NULL REFERENCES agency(code),
                    commune_code TEXT NOT NULL REFERENCES commune(code),
                    start_at INTEGER NOT NULL,
                    end_at INTEGER NOT NULL,
                    revision INTEGER NOT NULL,
                    content_sha256 BLOB NOT NULL,
                    received_at REAL NOT NULL,
                    credential_id INTEGER
                );
                INSERT INTO visit_new(seq, id, agency_code, commune_code, start_at, end_at, revision, content_sha256, received_at, credential_id)
                    SELECT rowid, id, agency_code, commune_code, start_at, end_at, revision, content_sha256, received_at, credential_id
                    FROM visit ORDER BY rowid;
                CREATE TABLE visit_revision_new (
                    visit_seq INTEGER NOT NULL REFERENCES visit(seq),
                    revision INTEGER NOT NULL,
                    body BLOB NOT NULL,
                    content_sha256 BLOB NOT NULL,
                    submitted_by TEXT NOT NULL,
                    received_at REAL NOT NULL,
                    PRIMARY KEY (visit_seq, revision)
                );
                INSERT INTO visit_revision_new(visit_seq, revision, body, content_sha256, submitted_by, received_at)
                    SELECT v.seq, r.revision, r.body, r.content_sha256, r.submitted_by, r.received_at
                    FROM visit_revision r JOIN visit_new v ON v.id = r.visit_id ORDER BY v.seq, r.revision;
                DROP TABLE visit_revision;
                DROP TABLE visit;
                ALTER TABLE visit_new RENAME TO visit;
                ALTER TABLE visit_revision_new RENAME TO visit_revision;
                CREATE INDEX visit_by_agency ON visit(agency_code, start_at);
                CREATE INDEX visit_by_start ON visit(start_at);
                CREATE INDEX visit_by_credential ON visit(credential_id) WHERE credential_id IS NOT NULL;
                """)
        }
        // The server's static private key leaves the database (PROTOCOL.md §12.1, §12.6): with
        // it and a client's public key anyone could forge a handshake's first message. Only the
        // public half stays, to check that the key file the server loads is this database's.
        // The private key in `server_key` is moved to the key file by the server at its next
        // start (`ServerKey`), which then erases it; a migration cannot write that file.
        migrator.registerMigration("v9-server-key-file") { db in
            try db.execute(sql: """
                CREATE TABLE server_public_key (
                    id INTEGER PRIMARY KEY CHECK (id = 1),
                    public_key BLOB NOT NULL,
                    created_at REAL NOT NULL
                );
                """)
            if let row = try Row.fetchOne(db, sql: "SELECT private_key, created_at FROM server_key WHERE id = 1") {
                let privateKey = try Curve25519.KeyAgreement.PrivateKey(rawRepresentation: row["private_key"] as Data)
                try db.execute(
                    sql: "INSERT INTO server_public_key(id, public_key, created_at) VALUES (1, ?, ?)",
                    arguments: [privateKey.publicKey.rawRepresentation, row["created_at"] as Double])
            }
        }
        // Signed offline bundles (PROTOCOL.md §15). `credential.bundle_key`: the Ed25519 public
        // key a credential's bundles verify under, derived from the secret, which the server
        // sees only when it issues the credential; older credentials keep NULL and cannot sign
        // (their operator rotates them). `visit_revision.source`: who vouched for the revision
        // (VisitSource: `sync`, `bundle:<credential id>`, `unsigned-bundle:<note>`, `import`);
        // NULL for revisions stored before, whose source nobody recorded. Independent of any
        // other migration after v8: two added nullable columns.
        migrator.registerMigration("v10-bundle-signing") { db in
            try db.execute(sql: """
                ALTER TABLE credential ADD COLUMN bundle_key BLOB;
                ALTER TABLE visit_revision ADD COLUMN source TEXT;
                """)
        }
        return migrator
    }
}
