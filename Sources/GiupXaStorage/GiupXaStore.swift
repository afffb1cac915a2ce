public import Foundation
public import GiupXaModels

/// Everything the server and the operator commands need from storage. SQLite (GRDB) is the
/// embedded default; a PostgreSQL implementation will be a second conformer, so nothing
/// outside this target sees SQL.
public protocol GiupXaStore: Sendable {
    // Reference data
    func loadDefaultData() async throws -> DefaultDataSummary
    func communes() async throws -> [Commune]
    func agencies() async throws -> [Agency]
    func agency(code: String) async throws -> Agency?
    func addAgency(_ agency: Agency) async throws

    // Credentials
    /// Issues a new credential for the agency; earlier ones stay valid until revoked.
    func issueCredential(agencyCode: String, now: Date) async throws -> IssuedCredential
    /// The agency the secret belongs to, or nil when it is unknown, revoked or another agency's.
    func authenticate(agencyCode: String, secret: String) async throws -> Agency?
    /// Revokes every live credential of the agency (or the one with `id`); returns how many.
    func revokeCredentials(agencyCode: String, id: Int64?, now: Date) async throws -> Int
    /// Issues a new credential and revokes all earlier ones, in one transaction.
    func rotateCredential(agencyCode: String, now: Date) async throws -> IssuedCredential
    func credentials(agencyCode: String?) async throws -> [CredentialInfo]

    // Decisions
    /// Stores the decision and its assignments in one transaction. Importing the same table
    /// again changes nothing; a different table for the same decision number is refused.
    func importDecision(_ decision: Decision, assignments: [Assignment]) async throws -> DecisionImportSummary
    func decisions() async throws -> [Decision]
    /// Assignments of an agency, optionally only those whose period covers `day`.
    func assignments(agencyCode: String, on day: CivilDate?) async throws -> [StoredAssignment]

    // Visits
    /// Commits the batch in one transaction and returns one outcome per visit, in order. An
    /// outcome of `.stored` means the visit is on disk. Visits must be normalised and valid.
    func submitVisits(_ visits: [Visit], agencyCode: String, receivedAt: Date) async throws -> [SubmitOutcome]
    func visits(_ query: VisitQuery) async throws -> VisitPage
    /// Stores corrections as new revisions, each only if made from the latest revision.
    func amendVisits(_ amendments: [VisitAmendment], agencyCode: String, receivedAt: Date) async throws -> [SubmitOutcome]
    /// Every revision of a visit, oldest first.
    func revisions(visitID: UUID) async throws -> [VisitRevision]
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

/// One stored revision: who sent it and when.
public struct VisitRevision: Sendable, Hashable, Codable {
    public var revision: Int
    public var visit: Visit
    public var submittedBy: String
    public var receivedAt: Date
}

public struct DefaultDataSummary: Sendable, Hashable, Codable {
    public var districts: Int
    public var communes: Int
    public var agencies: Int
    public var assignments: Int
}

public struct IssuedCredential: Sendable, Hashable {
    public var agencyCode: String
    /// Shown once to the operator; only its SHA-256 is stored.
    public var secret: String
    public var issuedAt: Date
}

/// A credential as operators see it: never the secret.
public struct CredentialInfo: Sendable, Hashable, Codable {
    public var id: Int64
    public var agencyCode: String
    public var issuedAt: Date
    public var revokedAt: Date?
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
        }
    }

    public var description: String { message(.en) }
}
