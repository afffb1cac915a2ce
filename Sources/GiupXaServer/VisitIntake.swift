import Foundation
public import GiupXaModels
public import GiupXaProtocol
public import GiupXaStorage
public import Logging

/// Validates and stores a batch of visits for one agency, with one result per visit: the
/// SubmitVisits method and bundle import share it, so a visit is treated the same whichever
/// way it arrives (and a visit that arrives both ways is stored once).
public struct VisitIntake: Sendable {
    let store: any GiupXaStore
    let maxVisitsPerBatch: Int
    let validator = VisitValidator()

    public init(store: any GiupXaStore, maxVisitsPerBatch: Int) {
        self.store = store
        self.maxVisitsPerBatch = maxVisitsPerBatch
    }

    public func submit(
        _ request: Giupxa_V1_SubmitVisitsRequest, agency: Agency, language: Language, logger: Logger
    ) async throws -> Giupxa_V1_SubmitVisitsResponse {
        guard request.visits.count <= maxVisitsPerBatch else {
            throw RPCError(ValidationError([FieldIssue(field: "visits", reason: .tooMany, limit: maxVisitsPerBatch)]), language: language)
        }
        let now = Date()
        var results = request.visits.map { wire -> Giupxa_V1_VisitResult in
            var result = Giupxa_V1_VisitResult()
            result.visitID = wire.id
            return result
        }
        // Validate every visit on its own: one bad visit is rejected, the rest of the batch goes on.
        var accepted: [(index: Int, visit: Visit)] = []
        for (index, wire) in request.visits.enumerated() {
            do {
                let visit = try wire.toModel(agencyCode: agency.code)
                try validator.validate(visit, now: now)
                accepted.append((index, visit))
            } catch {
                results[index].outcome = .rejected
                results[index].status = RPCError(error, fieldPrefix: "visits[\(index)].", language: language).status
            }
        }
        let outcomes = try await store.submitVisits(accepted.map(\.visit), agencyCode: agency.code, receivedAt: now)
        for ((index, _), outcome) in zip(accepted, outcomes) {
            switch outcome {
            case .stored(let revision):
                results[index].outcome = .stored
                results[index].revision = UInt32(revision)
            case .alreadyStored(let revision):
                results[index].outcome = .alreadyStored
                results[index].revision = UInt32(revision)
            case .conflict(let revision):
                results[index].outcome = .conflict
                results[index].revision = UInt32(revision)
                results[index].status = RPCError(
                    code: .alreadyExists,
                    message: language.pick(
                        vi: "Mã chuyến công tác này đã được lưu với nội dung khác; bản đã lưu không bị thay đổi",
                        en: "A different visit with this id is already stored; the stored visit was left unchanged"),
                    fieldErrors: [Giupxa_V1_FieldError(issue: FieldIssue(field: "id", reason: .duplicate), prefix: "visits[\(index)].", language: language)]
                ).status
            case .rejected(let issue):
                results[index].outcome = .rejected
                results[index].status = RPCError(ValidationError([issue]), fieldPrefix: "visits[\(index)].", language: language).status
            }
        }
        let stored = results.filter { $0.outcome == .stored }.count
        let rejected = results.filter { $0.outcome == .rejected || $0.outcome == .conflict }.count
        logger.info(
            "visits submitted",
            metadata: ["giupxa.agency": "\(agency.code)", "giupxa.visits": "\(results.count)",
                       "giupxa.stored": "\(stored)", "giupxa.refused": "\(rejected)"])
        var response = Giupxa_V1_SubmitVisitsResponse()
        response.results = results
        return response
    }
}
