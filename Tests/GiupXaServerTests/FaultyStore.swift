import Foundation
import GiupXaModels
import GiupXaStorage
import GRDB
import NIOConcurrencyHelpers

/// The real store with faults switched on and off by a test: what a full disk, a lost database
/// connection or a broken file look like to the server.
final class FaultyStore: GiupXaStore {
    enum Fault: Sendable, Hashable {
        case authenticate, advanceCounter, assignments, submitVisits
        /// Every write fails as SQLite does on a full disk (SQLITE_FULL); reads work.
        case fullDisk
    }
    struct Injected: Error {}

    let inner: SQLiteStore
    private let faults = NIOLockedValueBox<Set<Fault>>([])

    init(_ inner: SQLiteStore) { self.inner = inner }

    func fail(_ fault: Fault) { faults.withLockedValue { _ = $0.insert(fault) } }
    func heal() { faults.withLockedValue { $0.removeAll() } }
    private func check(_ fault: Fault) throws { if faults.withLockedValue({ $0.contains(fault) }) { throw Injected() } }
    private func write() throws { if faults.withLockedValue({ $0.contains(.fullDisk) }) { throw DatabaseError(resultCode: .SQLITE_FULL) } }

    func loadDefaultData(sampleDecision: Bool) async throws -> DefaultDataSummary { try await inner.loadDefaultData(sampleDecision: sampleDecision) }
    func communes() async throws -> [Commune] { try await inner.communes() }
    func agencies() async throws -> [Agency] { try await inner.agencies() }
    func agency(code: String) async throws -> Agency? { try await inner.agency(code: code) }
    func addAgency(_ agency: Agency) async throws { try await inner.addAgency(agency) }
    func addAgencies(_ agencies: [Agency]) async throws { try await inner.addAgencies(agencies) }
    func issueCredential(for owner: CredentialOwner, publicKey: Data, psk: Data, bundleKey: Data?, replacing: Bool, now: Date) async throws -> CredentialInfo {
        try await inner.issueCredential(for: owner, publicKey: publicKey, psk: psk, bundleKey: bundleKey, replacing: replacing, now: now)
    }
    func authenticate(publicKey: Data) async throws -> AuthenticatedCredential? {
        try check(.authenticate)
        return try await inner.authenticate(publicKey: publicKey)
    }
    func bundleSigner(publicKey: Data) async throws -> BundleSigner? { try await inner.bundleSigner(publicKey: publicKey) }
    func advanceHandshakeCounter(credentialID: Int64, to counter: UInt64) async throws -> UInt64? {
        try check(.advanceCounter)
        try write()
        return try await inner.advanceHandshakeCounter(credentialID: credentialID, to: counter)
    }
    func revokeCredentials(of owner: CredentialOwner, id: Int64?, now: Date) async throws -> Int { try await inner.revokeCredentials(of: owner, id: id, now: now) }
    func revokedCredentialIDs() async throws -> Set<Int64> { try await inner.revokedCredentialIDs() }
    func credentials(of owner: CredentialOwner?) async throws -> [CredentialInfo] { try await inner.credentials(of: owner) }
    func serverPublicKey() async throws -> Data? { try await inner.serverPublicKey() }
    func registerServerPublicKey(_ key: Data, now: Date) async throws { try await inner.registerServerPublicKey(key, now: now) }
    func legacyServerPrivateKey() async throws -> Data? { try await inner.legacyServerPrivateKey() }
    func eraseLegacyServerPrivateKey() async throws { try await inner.eraseLegacyServerPrivateKey() }
    func importDecision(_ decision: Decision, assignments: [Assignment]) async throws -> DecisionImportSummary {
        try await inner.importDecision(decision, assignments: assignments)
    }
    func decisions() async throws -> [Decision] { try await inner.decisions() }
    func assignments(agencyCode: String, on day: CivilDate?) async throws -> [StoredAssignment] {
        try check(.assignments)
        return try await inner.assignments(agencyCode: agencyCode, on: day)
    }
    func allAssignments() async throws -> [Assignment] { try await inner.allAssignments() }
    func latestVisits(startingBefore instant: Date, agencyCode: String?) async throws -> [Visit] {
        try await inner.latestVisits(startingBefore: instant, agencyCode: agencyCode)
    }
    func submitVisits(_ visits: [Visit], agencyCode: String, credentialID: Int64?, source: VisitSource, receivedAt: Date) async throws -> [SubmitOutcome] {
        try check(.submitVisits)
        try write()
        return try await inner.submitVisits(visits, agencyCode: agencyCode, credentialID: credentialID, source: source, receivedAt: receivedAt)
    }
    func visits(_ query: VisitQuery) async throws -> VisitPage { try await inner.visits(query) }
    func amendVisits(_ amendments: [VisitAmendment], agencyCode: String, source: VisitSource, receivedAt: Date) async throws -> [SubmitOutcome] {
        try await inner.amendVisits(amendments, agencyCode: agencyCode, source: source, receivedAt: receivedAt)
    }
    func revisions(visitID: UUID) async throws -> [VisitRevision] { try await inner.revisions(visitID: visitID) }
    func visitIDs(prefix: String, limit: Int) async throws -> [UUID] { try await inner.visitIDs(prefix: prefix, limit: limit) }
    func recentVisits(credentialID: Int64, count: Int) async throws -> [Visit] { try await inner.recentVisits(credentialID: credentialID, count: count) }
}

extension TestServer {
    /// A test server whose store fails on demand (`fail`, `heal`).
    static func withFaultyStore() async throws -> (TestServer, FaultyStore) {
        let made = NIOLockedValueBox<FaultyStore?>(nil)
        let server = try await TestServer.start(serving: { store in
            let faulty = FaultyStore(store)
            made.withLockedValue { $0 = faulty }
            return faulty
        })
        return (server, made.withLockedValue { $0! })
    }
}
