import Foundation
public import GiupXaModels
import GiupXaProtocol

/// The agency's side of the protocol: one connection per command, the HELLO riding with the
/// first call. Everything the CLI does over the network goes through here.
public struct AgencyClient: Sendable {
    public var host: String
    public var port: Int
    public var agencyCode: String
    public var secret: String
    public var language: Language
    public var callTimeout: Duration = .seconds(120)

    public init(host: String, port: Int, agencyCode: String, secret: String, language: Language) {
        self.host = host
        self.port = port
        self.agencyCode = agencyCode
        self.secret = secret
        self.language = language
    }

    public init(configuration: ClientConfiguration, language: Language) throws(ClientError) {
        guard let server = configuration.server else { throw .notConfigured("server") }
        guard let address = ClientConfiguration.parseAddress(server) else { throw .notConfigured("server") }
        guard let agency = configuration.agencyCode, !agency.isEmpty else { throw .notConfigured("agency") }
        guard let secret = configuration.secret, !secret.isEmpty else { throw .notConfigured("secret") }
        self.init(host: address.host, port: address.port, agencyCode: agency, secret: secret, language: language)
    }

    public func connect() async throws -> GiupXaConnection {
        var hello = Giupxa_V1_ClientHello()
        hello.clientName = "giupxa/0.1"
        hello.credential.agencyCode = agencyCode
        hello.credential.secret = secret
        hello.language = language.rawValue
        return try await GiupXaConnection.connect(host: host, port: port, hello: hello)
    }

    /// Fetches the agency's assignments and replaces the offline cache with them.
    public func refreshAssignments(into outbox: Outbox) async throws -> [Outbox.CachedAssignment] {
        let connection = try await connect()
        defer { Task { await connection.close() } }
        let response = try await connection.call(
            .listAssignments, Giupxa_V1_ListAssignmentsRequest(), as: Giupxa_V1_ListAssignmentsResponse.self,
            timeout: callTimeout)
        let assignments = response.assignments.map { a in
            Outbox.CachedAssignment(
                decisionNumber: a.decisionNumber, communeCode: a.communeCode, communeName: a.communeName,
                districtName: a.districtName, role: a.role == .supporting ? .supporting : .lead,
                period: DateRange(
                    start: CivilDate(yyyymmdd: Int(a.periodStart)) ?? CivilDate(year: 1900, month: 1, day: 1)!,
                    end: CivilDate(yyyymmdd: Int(a.periodEnd)) ?? CivilDate(year: 9999, month: 12, day: 31)!),
                isSample: a.sample)
        }
        try outbox.cacheAssignments(assignments)
        return assignments
    }

    /// The agency's visits as the server holds them, all pages.
    public func serverVisits(communeCode: String? = nil) async throws -> [StoredVisit] {
        let connection = try await connect()
        defer { Task { await connection.close() } }
        var request = Giupxa_V1_ListVisitsRequest()
        request.communeCode = communeCode ?? ""
        request.limit = 500
        var result: [StoredVisit] = []
        repeat {
            let page = try await connection.call(.listVisits, request, as: Giupxa_V1_ListVisitsResponse.self, timeout: callTimeout)
            result += try page.visits.map { try $0.toModel() }
            request.pageToken = page.nextPageToken
        } while !request.pageToken.isEmpty
        return result
    }
}

/// Client-side problems the user can fix.
public enum ClientError: Error, Sendable, Hashable {
    /// A setting `giupxa config set` has not been given.
    case notConfigured(String)

    public func message(_ language: Language) -> String {
        switch self {
        case .notConfigured(let setting):
            language.pick(
                vi: "Chưa cấu hình \(setting): chạy `giupxa config set --\(setting) …`",
                en: "\(setting) is not configured: run `giupxa config set --\(setting) …`")
        }
    }
}
