import Foundation
public import GiupXaMessages
public import GiupXaModels
import GiupXaProtocol
public import GiupXaStorage
public import Logging

/// Validates and stores visits and corrections for one agency, with one result per item: the
/// SubmitVisits and AmendVisits methods and bundle import share it, so a visit is treated the
/// same whichever way it arrives (and a visit that arrives both ways is stored once).
public struct VisitIntake: Sendable {
    let store: any GiupXaStore
    let maxVisitsPerBatch: Int
    let validator = VisitValidator()

    public init(store: any GiupXaStore, maxVisitsPerBatch: Int) {
        self.store = store
        self.maxVisitsPerBatch = maxVisitsPerBatch
    }

    /// - Parameters:
    ///   - credentialID: the sending connection's credential; nil for an offline bundle.
    ///   - source: who vouches for the visits, recorded with each revision stored.
    public func submit(
        _ request: Giupxa_V1_SubmitVisitsRequest, agency: Agency, credentialID: Int64? = nil, source: VisitSource = .sync,
        language: Language, logger: Logger
    ) async throws -> Giupxa_V1_SubmitVisitsResponse {
        let results = try await process(request.visits, field: "visits", agency: agency, language: language, logger: logger) { accepted, now in
            try await store.submitVisits(
                accepted.map(\.visit), agencyCode: agency.code, credentialID: credentialID, source: source, receivedAt: now)
        }
        var response = Giupxa_V1_SubmitVisitsResponse()
        response.results = results
        return response
    }

    /// Any number of visits, in batches of the limit, as an operator's import does: one result
    /// per visit, in order.
    public func submitAll(
        _ request: Giupxa_V1_SubmitVisitsRequest, agency: Agency, source: VisitSource, language: Language, logger: Logger
    ) async throws -> [Giupxa_V1_VisitResult] {
        var results: [Giupxa_V1_VisitResult] = []
        for start in stride(from: 0, to: request.visits.count, by: maxVisitsPerBatch) {
            var chunk = Giupxa_V1_SubmitVisitsRequest()
            chunk.visits = Array(request.visits[start..<min(start + maxVisitsPerBatch, request.visits.count)])
            results += try await submit(chunk, agency: agency, source: source, language: language, logger: logger).results
        }
        return results
    }

    public func amend(
        _ request: Giupxa_V1_AmendVisitsRequest, agency: Agency, language: Language, logger: Logger
    ) async throws -> Giupxa_V1_AmendVisitsResponse {
        let bases = request.amendments.map { Int($0.baseRevision) }
        let results = try await process(request.amendments.map(\.visit), field: "amendments", agency: agency, language: language, logger: logger) { accepted, now in
            let amendments = accepted.map { VisitAmendment(visit: $0.visit, baseRevision: bases[$0.index]) }
            return try await store.amendVisits(amendments, agencyCode: agency.code, source: .sync, receivedAt: now)
        }
        var response = Giupxa_V1_AmendVisitsResponse()
        response.results = results
        return response
    }

    /// Validates each item on its own (one bad visit is rejected, the rest go on), lets `commit`
    /// store the valid ones in one transaction, and maps every outcome to its wire result.
    private func process(
        _ wires: [Giupxa_V1_Visit], field: String, agency: Agency, language: Language, logger: Logger,
        commit: ([(index: Int, visit: Visit)], Date) async throws -> [SubmitOutcome]
    ) async throws -> [Giupxa_V1_VisitResult] {
        guard wires.count <= maxVisitsPerBatch else {
            throw RPCError(ValidationError([FieldIssue(field: field, reason: .tooMany, limit: maxVisitsPerBatch)]), language: language)
        }
        let now = Date()
        var results = wires.map { wire -> Giupxa_V1_VisitResult in
            var result = Giupxa_V1_VisitResult()
            result.visitID = wire.id
            return result
        }
        var accepted: [(index: Int, visit: Visit)] = []
        for (index, wire) in wires.enumerated() {
            // A cancelled call (its client gone or the connection broken) stops here.
            if index % 64 == 0 { try Task.checkCancellation() }
            do {
                let visit = try wire.toModel(agencyCode: agency.code)
                try validator.validate(visit, now: now)
                accepted.append((index, visit))
            } catch {
                results[index].outcome = .rejected
                results[index].status = RPCError(error, fieldPrefix: "\(field)[\(index)].", language: language).status
            }
        }
        let outcomes = try await commit(accepted, now)
        for ((index, visit), outcome) in zip(accepted, outcomes) {
            results[index].apply(outcome, prefix: "\(field)[\(index)].", language: language)
            if case .denied(let denial) = outcome {
                // Refusals are logged for the standing agency: who tried to file what, where.
                logger.notice(
                    "visit refused: permission denied",
                    metadata: ["giupxa.agency": "\(agency.code)", "giupxa.commune": "\(visit.communeCode)",
                               "giupxa.visit": "\(visit.id)", "giupxa.reason": "\(denial.rawValue)"])
            }
        }
        let stored = results.filter { $0.outcome == .stored }.count
        let refused = results.filter { $0.outcome == .rejected || $0.outcome == .conflict }.count
        logger.info(
            "\(field) received",
            metadata: ["giupxa.agency": "\(agency.code)", "giupxa.items": "\(results.count)",
                       "giupxa.stored": "\(stored)", "giupxa.refused": "\(refused)"])
        return results
    }
}

extension Giupxa_V1_VisitResult {
    mutating func apply(_ outcome: SubmitOutcome, prefix: String, language: Language) {
        switch outcome {
        case .stored(let revision):
            self.outcome = .stored
            self.revision = UInt32(revision)
        case .alreadyStored(let revision):
            self.outcome = .alreadyStored
            self.revision = UInt32(revision)
        case .conflict(let revision):
            self.outcome = .conflict
            self.revision = UInt32(revision)
            status = RPCError(
                code: .alreadyExists,
                message: language.pick(
                    vi: "Chuyến công tác đã được lưu với nội dung khác (bản \(revision)); bản đã lưu không bị thay đổi",
                    en: "A different version of this visit is stored (revision \(revision)); it was left unchanged"),
                fieldErrors: [Giupxa_V1_FieldError(issue: FieldIssue(field: "id", reason: .duplicate), prefix: prefix, language: language)]
            ).status
        case .idTaken:
            self.outcome = .conflict
            status = RPCError(
                code: .alreadyExists,
                message: language.pick(
                    vi: "Mã chuyến công tác này đã được dùng; hãy ghi lại chuyến công tác với mã mới",
                    en: "This visit id is already taken; record the visit again with a new id"),
                fieldErrors: [Giupxa_V1_FieldError(issue: FieldIssue(field: "id", reason: .duplicate), prefix: prefix, language: language)]
            ).status
        case .notFound:
            self.outcome = .conflict
            status = RPCError(
                code: .notFound,
                message: language.pick(
                    vi: "Máy chủ chưa có chuyến công tác này của cơ quan; hãy gửi nó như một chuyến mới",
                    en: "The server holds no such visit of this agency; send it as a new visit")
            ).status
        case .rejected(let issue):
            self.outcome = .rejected
            status = RPCError(ValidationError([issue]), fieldPrefix: prefix, language: language).status
        case .denied(let denial):
            self.outcome = .rejected
            let field = prefix + (denial == .notAssigned ? "commune" : "start")
            let reason: String
            switch denial {
            case .notAssigned:
                reason = language.pick(vi: "cơ quan không được phân công giúp xã này", en: "the agency is not assigned to this commune")
            case .outsidePeriod:
                reason = language.pick(
                    vi: "không có quyết định phân công xã này cho cơ quan trong thời gian chuyến công tác",
                    en: "no decision assigns this commune to the agency for the visit's dates")
            case .superseded:
                reason = language.pick(
                    vi: "quyết định phân công đang có hiệu lực vào ngày đó không còn giao xã này cho cơ quan",
                    en: "the decision in force on those dates no longer assigns this commune to the agency")
            }
            var error = Giupxa_V1_FieldError()
            error.field = field
            error.reason = denial.rawValue
            error.message = "\(field): \(reason)"
            status = RPCError(code: .permissionDenied, message: error.message, fieldErrors: [error]).status
        }
    }
}
