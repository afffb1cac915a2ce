public import Foundation
public import GiupXaModels

/// Everything the server and the operator commands need from storage. SQLite (GRDB) is the
/// embedded default; a PostgreSQL implementation will be a second conformer, so nothing
/// outside this target sees SQL.
public protocol GiupXaStore: Sendable {
    // Reference data
    /// The 2017 communes and the known agencies, and (unless told not to) the sample decision.
    func loadDefaultData(sampleDecision: Bool) async throws -> DefaultDataSummary
    func communes() async throws -> [Commune]
    func agencies() async throws -> [Agency]
    func agency(code: String) async throws -> Agency?
    func addAgency(_ agency: Agency) async throws
    /// Registers several agencies in one transaction (all or none).
    func addAgencies(_ agencies: [Agency]) async throws

    // Credentials (PROTOCOL.md §12): the store keeps each credential's verifier — the client's
    // static public key, psk and bundle-signing public key — never the secret.
    /// Issues a credential; an agency's earlier ones stay valid until revoked. With `replacing`,
    /// every live credential of the same owner is revoked in the same transaction (rotation).
    /// `bundleKey`: the Ed25519 public key that verifies the credential's bundles (§15).
    func issueCredential(
        for owner: CredentialOwner, publicKey: Data, psk: Data, bundleKey: Data?, replacing: Bool, now: Date
    ) async throws -> CredentialInfo
    /// The live credential whose static public key this is, with its owner.
    func authenticate(publicKey: Data) async throws -> AuthenticatedCredential?
    /// The credential whose static public key this is, revoked or not, with its bundle key:
    /// what a bundle's importer checks the bundle against (PROTOCOL.md §15).
    func bundleSigner(publicKey: Data) async throws -> BundleSigner?
    /// Accepts a handshake counter only if it exceeds every one the credential used before,
    /// and records it durably. Returns nil when accepted, else the highest counter seen.
    func advanceHandshakeCounter(credentialID: Int64, to counter: UInt64) async throws -> UInt64?
    /// Revokes every live credential of the owner (or the one with `id`); returns how many.
    func revokeCredentials(of owner: CredentialOwner, id: Int64?, now: Date) async throws -> Int
    /// Every credential revoked so far (the server cuts their live connections).
    func revokedCredentialIDs() async throws -> Set<Int64>
    /// Credentials of one owner, or all of them.
    func credentials(of owner: CredentialOwner?) async throws -> [CredentialInfo]
    /// The public half of the server's static key (X25519), nil until one is registered. The
    /// private half lives in a key file outside the store (PROTOCOL.md §12.1): credentials embed
    /// this public key, and the server checks its key file against it at start.
    func serverPublicKey() async throws -> Data?
    /// Registers the server's public key; throws `StoreError.serverKeyMismatch` if another one is.
    func registerServerPublicKey(_ key: Data, now: Date) async throws
    /// A private key that a store from before the key file still holds (to be moved to the key
    /// file by the server, then erased with `eraseLegacyServerPrivateKey`).
    func legacyServerPrivateKey() async throws -> Data?
    /// Erases the private key from the store, including from its free pages and log.
    func eraseLegacyServerPrivateKey() async throws

    // Decisions
    /// Stores the decision and its assignments in one transaction. Importing the same table
    /// again changes nothing; a different table for the same decision number is refused.
    func importDecision(_ decision: Decision, assignments: [Assignment]) async throws -> DecisionImportSummary
    func decisions() async throws -> [Decision]
    /// Assignments of an agency, optionally only those whose period covers `day`.
    func assignments(agencyCode: String, on day: CivilDate?) async throws -> [StoredAssignment]

    // Reports
    /// Every assignment of every decision (reports work out which decision is in force when).
    func allAssignments() async throws -> [Assignment]
    /// The latest revision of every visit (of one agency, or all) that started before `instant`.
    func latestVisits(startingBefore instant: Date, agencyCode: String?) async throws -> [Visit]

    // Visits
    /// Commits the batch in one transaction and returns one outcome per visit, in order. An
    /// outcome of `.stored` means the visit is on disk. Visits must be normalised and valid.
    /// `credentialID`: the credential whose connection sent them (nil: an offline bundle),
    /// kept with each visit it stores first, or resends first after a bundle brought it
    /// (agency dictionaries, PROTOCOL.md §9.5). `source`: who vouched for them, kept with each
    /// revision stored.
    func submitVisits(
        _ visits: [Visit], agencyCode: String, credentialID: Int64?, source: VisitSource, receivedAt: Date
    ) async throws -> [SubmitOutcome]
    func visits(_ query: VisitQuery) async throws -> VisitPage
    /// Stores corrections as new revisions, each only if made from the latest revision.
    func amendVisits(_ amendments: [VisitAmendment], agencyCode: String, source: VisitSource, receivedAt: Date) async throws -> [SubmitOutcome]
    /// Every revision of a visit, oldest first.
    func revisions(visitID: UUID) async throws -> [VisitRevision]
    /// The ids of stored visits whose text form (upper-case, with hyphens) starts with `prefix`
    /// (hex digits and hyphens only), at most `limit`: an operator names a visit by the first
    /// characters listings show.
    func visitIDs(prefix: String, limit: Int) async throws -> [UUID]
    /// The latest revision of the `count` most recent visits first stored through a credential,
    /// by start time then id, most recent first (an agency dictionary's visits, PROTOCOL.md §9.5).
    func recentVisits(credentialID: Int64, count: Int) async throws -> [Visit]
}

/// A correction of a stored visit, made from `baseRevision`.
public struct VisitAmendment: Sendable, Hashable {
    public var visit: Visit
    public var baseRevision: Int

    public init(visit: Visit, baseRevision: Int) {
        self.visit = visit
        self.baseRevision = baseRevision
    }
}

/// One stored revision: who sent it, who vouched for it, and when.
public struct VisitRevision: Sendable, Hashable, Codable {
    public var revision: Int
    public var visit: Visit
    /// The agency it was stored for.
    public var submittedBy: String
    /// nil for revisions stored before the source was recorded.
    public var source: VisitSource?
    public var receivedAt: Date
}

/// A credential as a bundle's importer needs it: owner, state, and the key its signatures
/// verify under (nil for credentials issued before signed bundles: they cannot sign one).
public struct BundleSigner: Sendable, Hashable {
    public var info: CredentialInfo
    public var bundleKey: Data?

    public init(info: CredentialInfo, bundleKey: Data?) {
        self.info = info
        self.bundleKey = bundleKey
    }
}

extension GiupXaStore {
    /// Visits that came through no connection's credential, recorded as `import`.
    public func submitVisits(_ visits: [Visit], agencyCode: String, receivedAt: Date) async throws -> [SubmitOutcome] {
        try await submitVisits(visits, agencyCode: agencyCode, credentialID: nil, source: .import, receivedAt: receivedAt)
    }

    /// As a connection's SubmitVisits (`sync`) when a credential sent them, else as `import`.
    public func submitVisits(_ visits: [Visit], agencyCode: String, credentialID: Int64?, receivedAt: Date) async throws -> [SubmitOutcome] {
        try await submitVisits(
            visits, agencyCode: agencyCode, credentialID: credentialID, source: credentialID == nil ? .import : .sync, receivedAt: receivedAt)
    }

    /// As a connection's AmendVisits.
    public func amendVisits(_ amendments: [VisitAmendment], agencyCode: String, receivedAt: Date) async throws -> [SubmitOutcome] {
        try await amendVisits(amendments, agencyCode: agencyCode, source: .sync, receivedAt: receivedAt)
    }

    /// A credential without a bundle-signing key.
    public func issueCredential(
        for owner: CredentialOwner, publicKey: Data, psk: Data, replacing: Bool, now: Date
    ) async throws -> CredentialInfo {
        try await issueCredential(for: owner, publicKey: publicKey, psk: psk, bundleKey: nil, replacing: replacing, now: now)
    }

    public func loadDefaultData() async throws -> DefaultDataSummary { try await loadDefaultData(sampleDecision: true) }
}

public struct DefaultDataSummary: Sendable, Hashable, Codable {
    public var districts: Int
    public var communes: Int
    public var agencies: Int
    public var assignments: Int
}

public struct DecisionImportSummary: Sendable, Hashable, Codable {
    public var decisionNumber: String
    public var assignments: Int
    /// False when the identical decision was already stored (an idempotent re-import).
    public var created: Bool
}

public struct StoredAssignment: Sendable, Hashable, Codable {
    public var detail: AssignmentDetail
    public var isSample: Bool
}

public enum SubmitOutcome: Sendable, Hashable {
    /// Newly committed.
    case stored(revision: Int)
    /// An identical visit was already stored.
    case alreadyStored(revision: Int)
    /// A different visit with the same id is stored and was left untouched.
    case conflict(revision: Int)
    /// The id belongs to another agency's visit (PROTOCOL.md §6.3): nothing else is told.
    case idTaken
    /// Refused by a rule only storage can check (unknown commune).
    case rejected(FieldIssue)
    /// An amendment for a visit that is not stored (or is another agency's).
    case notFound
    /// The agency may not file this visit (authorization by assignment).
    case denied(Denial)

    public enum Denial: String, Sendable, Hashable {
        /// No decision assigns this commune to the agency.
        case notAssigned = "not_assigned"
        /// Assigned, but by no decision whose period covers the visit's dates.
        case outsidePeriod = "outside_period"
        /// Assigned by an earlier decision that a later one, in force on these dates, replaced.
        case superseded
    }
}

public struct VisitQuery: Sendable, Hashable {
    /// nil lists every agency's visits (operators).
    public var agencyCode: String?
    public var communeCode: String?
    public var limit: Int
    /// From the previous page's `nextCursor`.
    public var after: VisitCursor?

    public init(agencyCode: String?, communeCode: String? = nil, limit: Int = 100, after: VisitCursor? = nil) {
        self.agencyCode = agencyCode
        self.communeCode = communeCode
        self.limit = limit
        self.after = after
    }
}

/// Position in the (start time, id) order of visits.
public struct VisitCursor: Sendable, Hashable {
    public var start: Int64
    public var id: String

    public init(start: Int64, id: String) {
        self.start = start
        self.id = id
    }

    /// "start|id" as bytes, the opaque page token of ListVisits.
    public var token: Data { Data("\(start)|\(id)".utf8) }

    public init?(token: Data) {
        let parts = String(decoding: token, as: UTF8.self).split(separator: "|")
        guard parts.count == 2, let start = Int64(parts[0]), UUID(uuidString: String(parts[1])) != nil else { return nil }
        self.init(start: start, id: String(parts[1]))
    }
}

public struct VisitPage: Sendable, Hashable {
    public var visits: [StoredVisit]
    public var nextCursor: VisitCursor?
}

/// Storage failures callers can act on. Anything else is an internal error.
public enum StoreError: Error, Sendable, Hashable, CustomStringConvertible {
    case unknownAgency(String)
    case agencyExists(String)
    case decisionConflict(String)
    case invalid(ValidationError)
    case invalidOperatorName(String)
    /// The database has schema changes this build does not know: a newer server migrated it.
    case newerSchema([String])
    /// A different server public key is already registered: the key file is another database's.
    case serverKeyMismatch
    /// SQLite's integrity check found damage (its first findings): nothing is served from it.
    case damaged([String])

    public func message(_ language: Language) -> String {
        switch self {
        case .unknownAgency(let code):
            language.pick(vi: "Không có cơ quan với mã \(code)", en: "No agency has code \(code)")
        case .agencyExists(let code):
            language.pick(vi: "Cơ quan \(code) đã tồn tại", en: "Agency \(code) already exists")
        case .decisionConflict(let number):
            language.pick(
                vi: "Quyết định \(number) đã được nhập với bảng phân công khác; không thay đổi gì",
                en: "Decision \(number) was already imported with a different assignment table; nothing changed")
        case .invalid(let error):
            error.message(language)
        case .invalidOperatorName(let name):
            language.pick(
                vi: "Tên người vận hành không hợp lệ: \"\(name)\" (1–64 ký tự, một dòng, không có ký tự điều khiển hay ký tự ẩn)",
                en: "Invalid operator name: \"\(name)\" (1–64 characters, one line, no control or invisible characters)")
        case .newerSchema(let changes):
            language.pick(
                vi: "Cơ sở dữ liệu đã được một phiên bản giupxa-server mới hơn nâng cấp (\(changes.joined(separator: ", "))); "
                    + "phiên bản này không ghi vào đó. Hãy chạy phiên bản mới hơn.",
                en: "The database was upgraded by a newer giupxa-server (\(changes.joined(separator: ", "))); "
                    + "this version does not write to it. Run the newer version.")
        case .damaged(let findings):
            language.pick(
                vi: "Cơ sở dữ liệu bị hỏng (\(findings.prefix(3).joined(separator: "; "))); máy chủ không phục vụ để không ghi "
                    + "chuyến công tác vào một tệp hỏng. Hãy khôi phục từ bản sao lưu; `giupxa-server check` kiểm tra toàn bộ.",
                en: "The database is damaged (\(findings.prefix(3).joined(separator: "; "))); the server does not serve from it, so no "
                    + "visit is acknowledged into a broken file. Restore it from a backup; `giupxa-server check` checks it in full.")
        case .serverKeyMismatch:
            language.pick(
                vi: "Tệp khoá máy chủ không thuộc cơ sở dữ liệu này (khoá công khai khác với khoá đã đăng ký); "
                    + "hãy chỉ đúng tệp khoá bằng --key-file",
                en: "The server key file does not belong to this database (its public key differs from the registered one); "
                    + "point --key-file at the right one")
        }
    }

    public var description: String { message(.en) }
}
