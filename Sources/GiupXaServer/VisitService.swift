import Foundation
import GiupXaModels
public import GiupXaProtocol
public import GiupXaStorage
import Logging
public import NIOCore
public import SwiftProtobuf

/// The v1 methods. Transport-free: it takes a decoded request body and returns a message or
/// throws an RPCError, so it can be tested without sockets.
public struct VisitService: Sendable {
    let store: any GiupXaStore
    let limits: ProtocolLimits
    let validator = VisitValidator()

    public init(store: any GiupXaStore, limits: ProtocolLimits) {
        self.store = store
        self.limits = limits
    }

    public func handle(_ method: Method, message: ByteBuffer, context: CallContext) async throws(RPCError) -> any SwiftProtobuf.Message {
        do {
            switch method {
            case .listAssignments:
                return try await listAssignments(MessageCodec.decode(Giupxa_V1_ListAssignmentsRequest.self, from: message), context)
            case .submitVisits:
                return try await submitVisits(MessageCodec.decode(Giupxa_V1_SubmitVisitsRequest.self, from: message), context)
            case .listVisits:
                return try await listVisits(MessageCodec.decode(Giupxa_V1_ListVisitsRequest.self, from: message), context)
            }
        } catch let error as RPCError {
            throw error
        } catch {
            context.logger.error("storage failure", metadata: ["giupxa.method": "\(method)", "error": "\(error)"])
            throw RPCError(code: .internal, message: context.language.pick(vi: "Lỗi máy chủ, vui lòng thử lại", en: "Server error, please retry"))
        }
    }

    func listAssignments(_ request: Giupxa_V1_ListAssignmentsRequest, _ context: CallContext) async throws -> Giupxa_V1_ListAssignmentsResponse {
        var day: CivilDate? = nil
        if request.onDay != 0 {
            guard let parsed = CivilDate(yyyymmdd: Int(request.onDay)) else {
                throw RPCError(ValidationError([FieldIssue(field: "on_day", reason: .invalidFormat, value: String(request.onDay))]), language: context.language)
            }
            day = parsed
        }
        var response = Giupxa_V1_ListAssignmentsResponse()
        response.assignments = try await store.assignments(agencyCode: context.agency.code, on: day).map {
            Giupxa_V1_Assignment($0.detail, isSample: $0.isSample)
        }
        return response
    }

    func submitVisits(_ request: Giupxa_V1_SubmitVisitsRequest, _ context: CallContext) async throws -> Giupxa_V1_SubmitVisitsResponse {
        let language = context.language
        guard request.visits.count <= limits.maxVisitsPerBatch else {
            throw RPCError(ValidationError([FieldIssue(field: "visits", reason: .tooMany, limit: limits.maxVisitsPerBatch)]), language: language)
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
                let visit = try wire.toModel(agencyCode: context.agency.code)
                try validator.validate(visit, now: now)
                accepted.append((index, visit))
            } catch {
                results[index].outcome = .rejected
                results[index].status = RPCError(error, fieldPrefix: "visits[\(index)].", language: language).status
            }
        }
        let outcomes = try await store.submitVisits(accepted.map(\.visit), agencyCode: context.agency.code, receivedAt: now)
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
        context.logger.info(
            "visits submitted",
            metadata: ["giupxa.agency": "\(context.agency.code)", "giupxa.visits": "\(results.count)",
                       "giupxa.stored": "\(stored)", "giupxa.refused": "\(rejected)"])
        var response = Giupxa_V1_SubmitVisitsResponse()
        response.results = results
        return response
    }

    /// Keeps a page far below the 4 MiB frame limit even for long visits.
    static let maxVisitsPerPage: UInt32 = 500

    func listVisits(_ request: Giupxa_V1_ListVisitsRequest, _ context: CallContext) async throws -> Giupxa_V1_ListVisitsResponse {
        var cursor: VisitCursor? = nil
        if !request.pageToken.isEmpty {
            guard let parsed = VisitCursor(token: request.pageToken) else {
                throw RPCError(ValidationError([FieldIssue(field: "page_token", reason: .invalidFormat)]), language: context.language)
            }
            cursor = parsed
        }
        let page = try await store.visits(VisitQuery(
            agencyCode: context.agency.code,
            communeCode: request.communeCode.isEmpty ? nil : request.communeCode,
            limit: request.limit == 0 ? 100 : Int(min(request.limit, Self.maxVisitsPerPage)),
            after: cursor))
        var response = Giupxa_V1_ListVisitsResponse()
        response.visits = page.visits.map(Giupxa_V1_StoredVisit.init)
        response.nextPageToken = page.nextCursor?.token ?? Data()
        return response
    }
}

extension RPCError {
    /// Any error from model mapping or validation as INVALID_ARGUMENT with field detail.
    init(_ error: any Error, fieldPrefix: String, language: Language) {
        if let validation = error as? ValidationError {
            self.init(validation, fieldPrefix: fieldPrefix, language: language)
        } else {
            self.init(code: .invalidArgument, message: "\(error)")
        }
    }
}
