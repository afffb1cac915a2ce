import Crypto
import Foundation
import GiupXaServer
import GiupXaStorage
import GRDB
import Testing

/// Issue 15, finding 1: a stolen database must log nobody in. The server's private key lives in
/// a key file of its own; nothing in the database (any table, its free pages, its log) holds it.
@Suite struct ServerKeyTests {
    let directory: URL

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("giupxa-key-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    private func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    /// Every byte the database's files hold on disk.
    private func databaseBytes(_ database: String) -> [UInt8] {
        ["", "-wal", "-shm"].flatMap { suffix -> [UInt8] in
            guard let data = FileManager.default.contents(atPath: database + suffix) else { return [] }
            return Array(data)
        }
    }

    private func contains(_ haystack: [UInt8], _ needle: Data) -> Bool {
        let needle = Array(needle)
        guard haystack.count >= needle.count else { return false }
        return (0...(haystack.count - needle.count)).contains { haystack[$0..<($0 + needle.count)].elementsEqual(needle) }
    }

    private func mode(_ path: String) throws -> Int {
        (try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as! NSNumber).intValue
    }

    @Test func theDatabaseHoldsNoPrivateKeyAndIssuingNeedsNone() async throws {
        let database = path("s.sqlite")
        let store = try SQLiteStore(path: database)
        _ = try await store.loadDefaultData(sampleDecision: true)
        let key = try await ServerKey.prepare(store: store, path: path("server.key"))
        let issued = try await CredentialIssuer(store: store).issue(for: .agency(code: "STNMT"), replacing: false)
        #expect(issued.text.hasPrefix("gx2_"))
        #expect(try await store.serverPublicKey() == key.publicKey)
        #expect(!contains(databaseBytes(database), key.privateKey.rawRepresentation))
        // The key file is this server's, and loads back as the same key.
        #expect(try ServerKey.load(path("server.key")).publicKey == key.publicKey)
    }

    @Test func aKeyInADatabaseFromBeforeTheKeyFileIsMovedOutAndErased() async throws {
        let database = path("old.sqlite")
        let legacy = Curve25519.KeyAgreement.PrivateKey()
        let store = try LegacyDatabase.make(database, serverPrivateKey: legacy.rawRepresentation)
        #expect(try await store.legacyServerPrivateKey() == legacy.rawRepresentation)
        #expect(try await store.serverPublicKey() == legacy.publicKey.rawRepresentation)

        let key = try await ServerKey.prepare(store: store, path: path("server.key"))
        #expect(key.publicKey == legacy.publicKey.rawRepresentation)
        #expect(try await store.legacyServerPrivateKey() == nil)
        #expect(try mode(path("server.key")) == 0o600)
        #expect(!contains(databaseBytes(database), legacy.rawRepresentation))
        // A second start reads the file.
        #expect(try await ServerKey.prepare(store: store, path: path("server.key")).publicKey == key.publicKey)
    }

    @Test func aKeyFileOfAnotherDatabaseOrAMissingOneIsRefused() async throws {
        let store = try SQLiteStore(path: path("a.sqlite"))
        _ = try await ServerKey.prepare(store: store, path: path("a.key"))
        let other = try SQLiteStore(path: path("b.sqlite"))
        _ = try await ServerKey.prepare(store: other, path: path("b.key"))
        await #expect(throws: StoreError.serverKeyMismatch) { try await ServerKey.prepare(store: store, path: path("b.key")) }
        await #expect(throws: ServerKeyError.missing(path("nowhere.key"))) {
            try await ServerKey.prepare(store: store, path: path("nowhere.key"))
        }
        chmod(path("a.key"), 0o644)
        await #expect(throws: ServerKeyError.shared(path("a.key"))) { try await ServerKey.prepare(store: store, path: path("a.key")) }
    }

    @Test func filesWithPersonalDataOrKeysAreOwnerOnlyWhateverTheUmask() async throws {
        let previous = umask(0)
        defer { umask(previous) }
        let database = path("u.sqlite")
        let store = try SQLiteStore(path: database)
        _ = try await store.loadDefaultData(sampleDecision: true)
        _ = try await ServerKey.prepare(store: store, path: path("u.key"))
        _ = try await CredentialIssuer(store: store).issue(for: .agency(code: "STNMT"), replacing: false)
        for file in [database, database + "-wal", database + "-shm", path("u.key")] {
            #expect(try mode(file) == 0o600, "\(file)")
        }
    }

    @Test func anExistingWorldReadableDatabaseIsTightened() async throws {
        let database = path("w.sqlite")
        _ = try SQLiteStore(path: database)
        chmod(database, 0o644)
        _ = try SQLiteStore(path: database)
        #expect(try mode(database) == 0o600)
    }
}

/// A database as a server before migration v9 left it: every migration up to v8, and the
/// server's private key in `server_key`.
enum LegacyDatabase {
    static func make(_ path: String, serverPrivateKey: Data) throws -> SQLiteStore {
        _ = try SQLiteStore(path: path)
        let queue = try DatabaseQueue(path: path)
        try queue.inDatabase { db in
            try db.execute(sql: "DROP TABLE server_public_key; DELETE FROM grdb_migrations WHERE identifier = 'v9-server-key-file'")
            try db.execute(sql: "INSERT INTO server_key(id, private_key, created_at) VALUES (1, ?, 0)", arguments: [serverPrivateKey])
        }
        try queue.close()
        // v9 runs again, over the legacy row.
        return try SQLiteStore(path: path)
    }
}
