public import Foundation
import GiupXaModels
import GRDB

extension SQLiteStore {
    public func issueCredential(
        for owner: CredentialOwner, publicKey: Data, psk: Data, bundleKey: Data?, replacing: Bool, now: Date
    ) async throws -> CredentialInfo {
        let owner = try Self.canonical(owner)
        return try await pool.write { db in
            if case .agency(let code) = owner,
               try Row.fetchOne(db, sql: "SELECT 1 FROM agency WHERE code = ?", arguments: [code]) == nil
            {
                throw StoreError.unknownAgency(code)
            }
            if replacing {
                try Self.revoke(owner, id: nil, now: now, db: db)
            }
            let (role, agency, name) = Self.columns(owner)
            try db.execute(
                sql: """
                    INSERT INTO credential(role, agency_code, operator_name, public_key, psk, bundle_key, issued_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [role, agency, name, publicKey, psk, bundleKey, now.timeIntervalSince1970])
            return CredentialInfo(id: db.lastInsertedRowID, owner: owner, issuedAt: now, revokedAt: nil)
        }
    }

    public func authenticate(publicKey: Data) async throws -> AuthenticatedCredential? {
        try await pool.read { db in
            guard let row = try Row.fetchOne(
                db,
                sql: """
                    SELECT c.id, c.role, c.operator_name, c.psk, a.code, a.name, a.kind
                    FROM credential c LEFT JOIN agency a ON a.code = c.agency_code
                    WHERE c.public_key = ? AND c.revoked_at IS NULL
                    """,
                arguments: [publicKey])
            else { return nil }
            let principal: Principal
            if (row["role"] as String) == "operator" {
                principal = .operator(name: row["operator_name"])
            } else {
                principal = .agency(Self.agency(from: row))
            }
            return AuthenticatedCredential(id: row["id"], principal: principal, psk: row["psk"])
        }
    }

    public func bundleSigner(publicKey: Data) async throws -> BundleSigner? {
        try await pool.read { db in
            guard let row = try Row.fetchOne(
                db,
                sql: "SELECT id, role, agency_code, operator_name, issued_at, revoked_at, bundle_key FROM credential WHERE public_key = ?",
                arguments: [publicKey])
            else { return nil }
            return BundleSigner(info: Self.info(from: row), bundleKey: row["bundle_key"])
        }
    }

    public func advanceHandshakeCounter(credentialID: Int64, to counter: UInt64) async throws -> UInt64? {
        // Every connection's handshake writes here: shared with concurrent writes' fsync.
        try await commits.write { db in
            // SQLite integers are signed: a counter beyond Int64.max is never accepted.
            if let value = Int64(exactly: counter) {
                try db.execute(
                    sql: "UPDATE credential SET last_counter = ? WHERE id = ? AND last_counter < ?",
                    arguments: [value, credentialID, value])
                if db.changesCount == 1 { return nil }
            }
            let floor = try Int64.fetchOne(db, sql: "SELECT last_counter FROM credential WHERE id = ?", arguments: [credentialID]) ?? 0
            return UInt64(floor)
        }
    }

    public func revokeCredentials(of owner: CredentialOwner, id: Int64?, now: Date) async throws -> Int {
        let owner = try Self.canonical(owner)
        return try await pool.write { db in try Self.revoke(owner, id: id, now: now, db: db) }
    }

    public func revokedCredentialIDs() async throws -> Set<Int64> {
        try await pool.read { db in Set(try Int64.fetchAll(db, sql: "SELECT id FROM credential WHERE revoked_at IS NOT NULL")) }
    }

    public func credentials(of owner: CredentialOwner?) async throws -> [CredentialInfo] {
        let filter = try owner.map(Self.canonical).map(Self.columns)
        return try await pool.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT id, role, agency_code, operator_name, issued_at, revoked_at FROM credential
                    WHERE ? IS NULL OR (role = ? AND (agency_code = ? OR operator_name = ?))
                    ORDER BY role, agency_code, operator_name, id
                    """,
                arguments: [filter?.role, filter?.role, filter?.agency, filter?.name]
            ).map(Self.info(from:))
        }
    }

    public func serverPublicKey() async throws -> Data? {
        try await pool.read { db in try Data.fetchOne(db, sql: "SELECT public_key FROM server_public_key WHERE id = 1") }
    }

    public func registerServerPublicKey(_ key: Data, now: Date) async throws {
        try await pool.write { db in
            if let registered = try Data.fetchOne(db, sql: "SELECT public_key FROM server_public_key WHERE id = 1") {
                guard registered == key else { throw StoreError.serverKeyMismatch }
                return
            }
            try db.execute(
                sql: "INSERT INTO server_public_key(id, public_key, created_at) VALUES (1, ?, ?)",
                arguments: [key, now.timeIntervalSince1970])
        }
    }

    public func legacyServerPrivateKey() async throws -> Data? {
        try await pool.read { db in try Data.fetchOne(db, sql: "SELECT private_key FROM server_key WHERE id = 1") }
    }

    public func eraseLegacyServerPrivateKey() async throws {
        try await pool.write { db in
            // secure_delete overwrites the freed page content, so the key is not left behind in
            // the file's free pages.
            try db.execute(sql: "PRAGMA secure_delete = ON")
            try db.execute(sql: "DELETE FROM server_key")
            try db.execute(sql: "PRAGMA secure_delete = OFF")
        }
        // And out of the WAL, whose frames still hold the page as it was before the delete.
        try await pool.writeWithoutTransaction { db in
            _ = try db.checkpoint(.truncate)
        }
    }

    // MARK: Helpers

    private static func info(from row: Row) -> CredentialInfo {
        let owner: CredentialOwner = (row["role"] as String) == "operator"
            ? .operator(name: row["operator_name"]) : .agency(code: row["agency_code"])
        return CredentialInfo(
            id: row["id"], owner: owner, issuedAt: Date(timeIntervalSince1970: row["issued_at"]),
            revokedAt: (row["revoked_at"] as Double?).map(Date.init(timeIntervalSince1970:)))
    }

    private static func canonical(_ owner: CredentialOwner) throws -> CredentialOwner {
        switch owner {
        case .agency(let code):
            return .agency(code: code.uppercased())
        case .operator(let name):
            let name = VietnameseText.normalize(name)
            // The name is shown in listings and logs: the one-line text rules, 64 scalars.
            guard !name.isEmpty, TextRules.reason(for: name, kind: .singleLine, limit: 64, isNormalized: true) == nil else {
                throw StoreError.invalidOperatorName(name)
            }
            return .operator(name: name)
        }
    }

    private static func columns(_ owner: CredentialOwner) -> (role: String, agency: String?, name: String?) {
        switch owner {
        case .agency(let code): ("agency", code, nil)
        case .operator(let name): ("operator", nil, name)
        }
    }

    @discardableResult
    private static func revoke(_ owner: CredentialOwner, id: Int64?, now: Date, db: Database) throws -> Int {
        let (role, agency, name) = columns(owner)
        try db.execute(
            sql: """
                UPDATE credential SET revoked_at = ?
                WHERE role = ? AND (agency_code = ? OR operator_name = ?) AND revoked_at IS NULL AND (? IS NULL OR id = ?)
                """,
            arguments: [now.timeIntervalSince1970, role, agency, name, id, id])
        return db.changesCount
    }
}
