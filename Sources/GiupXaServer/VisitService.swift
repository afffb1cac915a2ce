import Foundation
import GiupXaMessages
import GiupXaModels
public import GiupXaProtocol
import GiupXaReportMessages
import GiupXaReports
public import GiupXaStorage
import Logging
public import NIOCore
public import SwiftProtobuf

/// The v1 methods. Transport-free: it takes a decoded request body and returns a message or
/// throws an RPCError, so it can be tested without sockets.
public struct VisitService: Sendable {
    let store: any GiupXaStore
    let intake: VisitIntake

    public init(store: any GiupXaStore, limits: ProtocolLimits) {
        self.store = store
        self.intake = VisitIntake(store: store, maxVisitsPerBatch: limits.maxVisitsPerBatch)
    }

    public func handle(_ method: Method, message: ByteBuffer, context: CallContext) async throws(RPCError) -> any SwiftProtobuf.Message {
        do {
            switch method {
            case .listAssignments:
                let agency = try context.requireAgency(method)
                return try await listAssignments(MessageCodec.decode(Giupxa_V1_ListAssignmentsRequest.self, from: message), agency, context)
            case .submitVisits:
                let agency = try context.requireAgency(method)
                if let issue = WireShape.submitVisitsIssue(in: message, maxVisits: intake.maxVisitsPerBatch, limits: intake.validator.limits) {
                    throw RPCError(ValidationError([issue]), language: context.language)
                }
                let request = try MessageCodec.decode(Giupxa_V1_SubmitVisitsRequest.self, from: message)
                var response = try await intake.submit(
                    request, agency: agency, credentialID: context.credentialID, language: context.language, logger: context.logger)
                if context.resultsByPosition { response.results.dropVisitIDs() }
                return response
            case .listVisits:
                return try await listVisits(MessageCodec.decode(Giupxa_V1_ListVisitsRequest.self, from: message), context)
            case .complianceReport:
                return try await complianceReport(MessageCodec.decode(Giupxa_V1_ComplianceReportRequest.self, from: message), context)
            case .amendVisits:
                let agency = try context.requireAgency(method)
                if let issue = WireShape.amendVisitsIssue(in: message, maxVisits: intake.maxVisitsPerBatch, limits: intake.validator.limits) {
                    throw RPCError(ValidationError([issue]), language: context.language)
                }
                let request = try MessageCodec.decode(Giupxa_V1_AmendVisitsRequest.self, from: message)
                var response = try await intake.amend(request, agency: agency, language: context.language, logger: context.logger)
                if context.resultsByPosition { response.results.dropVisitIDs() }
                return response
            }
        } catch let error as RPCError {
            throw error
        } catch is CancellationError {
            // The client cancelled the call, went away, or broke the protocol: not a failure of ours.
            throw RPCError(code: .cancelled, message: context.language.pick(vi: "Cuộc gọi đã bị huỷ", en: "Call cancelled"))
        } catch {
            context.logger.error("storage failure", metadata: ["giupxa.method": "\(method)", "error": "\(error)"])
            if SQLiteStore.isStorageFull(error) {
                // Nothing was stored; the visits stay on the device until an operator frees space.
                throw RPCError(code: .unavailable, message: context.language.pick(
                    vi: "Máy chủ đã hết chỗ lưu trữ, không lưu được gì; các chuyến công tác vẫn ở trên máy của bạn. Hãy báo cho quản trị viên máy chủ.",
                    en: "The server's storage is full, nothing was stored; the visits stay on your device. Tell the server's operator."))
            }
            throw RPCError(code: .internal, message: context.language.pick(vi: "Lỗi máy chủ, vui lòng thử lại", en: "Server error, please retry"))
        }
    }

    func listAssignments(
        _ request: Giupxa_V1_ListAssignmentsRequest, _ agency: Agency, _ context: CallContext
    ) async throws -> Giupxa_V1_ListAssignmentsResponse {
        var day: CivilDate? = nil
        if request.onDay != 0 {
            guard let parsed = CivilDate(yyyymmdd: Int(request.onDay)) else {
                throw RPCError(ValidationError([FieldIssue(field: "on_day", reason: .invalidFormat, value: String(request.onDay))]), language: context.language)
            }
            day = parsed
        }
        var response = Giupxa_V1_ListAssignmentsResponse()
        response.assignments = try await store.assignments(agencyCode: agency.code, on: day).map {
            Giupxa_V1_Assignment($0.detail, isSample: $0.isSample)
        }
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
        let agencyCode: String?
        let requested = request.agencyCode.uppercased()
        switch context.principal {
        case .agency(let agency):
            // An agency sees only its own visits.
            guard requested.isEmpty || requested == agency.code else {
                context.logger.notice("call refused: another agency's visits", metadata: ["giupxa.requested": "\(requested.prefix(16))"])
                throw RPCError(code: .permissionDenied, message: context.language.pick(
                    vi: "Cơ quan chỉ được xem chuyến công tác của chính mình",
                    en: "An agency may list only its own visits"))
            }
            agencyCode = agency.code
        case .operator:
            agencyCode = requested.isEmpty ? nil : requested
        }
        let page = try await store.visits(VisitQuery(
            agencyCode: agencyCode,
            communeCode: request.communeCode.isEmpty ? nil : request.communeCode,
            limit: request.limit == 0 ? 100 : Int(min(request.limit, Self.maxVisitsPerPage)),
            after: cursor))
        var response = Giupxa_V1_ListVisitsResponse()
        response.visits = page.visits.map(Giupxa_V1_StoredVisit.init)
        response.nextPageToken = page.nextCursor?.token ?? Data()
        return response
    }
}

extension [Giupxa_V1_VisitResult] {
    /// The client matches results by position (PROTOCOL.md §6.3): the ids it sent are 16
    /// incompressible bytes each, repeated for nothing.
    mutating func dropVisitIDs() {
        for index in indices { self[index].visitID = Data() }
    }
}

extension VisitService {
    /// Operators get any agency's report or the province's; an agency only its own.
    func complianceReport(_ request: Giupxa_V1_ComplianceReportRequest, _ context: CallContext) async throws -> Giupxa_V1_ComplianceReportResponse {
        let requested = request.agencyCode.uppercased()
        let agency: String?
        switch context.principal {
        case .agency(let own):
            guard requested.isEmpty || requested == own.code else {
                context.logger.notice("call refused: another agency's report", metadata: ["giupxa.requested": "\(requested.prefix(16))"])
                throw RPCError(code: .permissionDenied, message: context.language.pick(
                    vi: "Cơ quan chỉ được xem báo cáo của chính mình", en: "An agency may see only its own report"))
            }
            agency = own.code
        case .operator:
            agency = requested.isEmpty ? nil : requested
        }
        let policy: ReportPolicy
        let period: ReportPeriod
        do {
            policy = request.hasPolicy ? try request.policy.toModel() : .default
            if !request.period.isEmpty {
                period = try ReportPeriod.named(request.period, policy: policy)
            } else {
                guard let from = CivilDate(yyyymmdd: Int(request.fromDay)) else {
                    throw ValidationError([FieldIssue(field: "from_day", reason: request.fromDay == 0 ? .required : .invalidFormat)])
                }
                guard let to = CivilDate(yyyymmdd: Int(request.toDay)) else {
                    throw ValidationError([FieldIssue(field: "to_day", reason: request.toDay == 0 ? .required : .invalidFormat)])
                }
                period = try ReportPeriod.custom(from: from, to: to)
            }
        } catch {
            throw RPCError(error, fieldPrefix: "", language: context.language)
        }
        let report = try await ReportBuilder(store: store).report(period: period, policy: policy, agency: agency)
        return Giupxa_V1_ComplianceReportResponse(report)
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
