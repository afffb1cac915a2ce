import Foundation
public import GiupXaMessages
public import GiupXaModels
public import GiupXaProtocol
import GiupXaReportMessages
public import GiupXaReports

/// The agency's side of the protocol: one connection per command, the HELLO riding with the
/// first call. Everything the CLI does over the network goes through here.
public struct AgencyClient: Sendable {
    public var host: String
    public var port: Int
    public var agencyCode: String
    public var secret: String
    public var security: ConnectionSecurity
    public var language: Language
    public var counters: any HandshakeCounterStore
    public var callTimeout: Duration = .seconds(120)
    /// The codec of each connection's request stream (PROTOCOL.md §9.3, §9.4). LZMA2 sends large
    /// syncs about 30 % smaller; deflate's encoder costs about a fifth of the CPU (the capacity
    /// benchmark's load generator uses it, to leave the shared cores to the servers).
    public var requestStream: ContextCodec = .lzma2
    /// Where the agency's acknowledged visits are, to offer them as an agency dictionary
    /// (PROTOCOL.md §9.5); nil: the published dictionary only. SyncEngine sets its outbox.
    public var history: (any AgencyHistory)?

    /// - Parameter plaintext: use v1 without encryption (loopback tests, diagnostics).
    public init(
        host: String, port: Int, agencyCode: String, secret: String, language: Language,
        counters: any HandshakeCounterStore = InMemoryHandshakeCounter(), plaintext: Bool = false
    ) throws(ClientError) {
        self.host = host
        self.port = port
        self.agencyCode = agencyCode
        self.secret = secret
        self.language = language
        self.counters = counters
        if plaintext {
            security = .plaintext
        } else {
            guard let credential = SecureCredential(parsing: secret) else { throw .invalidCredential }
            security = .secured(credential)
        }
    }

    /// - Parameter requireAgency: false for commands an operator credential may run (reports),
    ///   where the configuration names no agency.
    public init(
        configuration: ClientConfiguration, language: Language, counters: any HandshakeCounterStore, requireAgency: Bool = true
    ) throws(ClientError) {
        guard let server = configuration.server else { throw .notConfigured("server") }
        guard let address = ClientConfiguration.parseAddress(server) else { throw .notConfigured("server") }
        let agency = configuration.agencyCode ?? ""
        guard !agency.isEmpty || !requireAgency else { throw .notConfigured("agency") }
        guard let secret = configuration.secret, !secret.isEmpty else { throw .notConfigured("secret") }
        try self.init(
            host: address.host, port: address.port, agencyCode: agency, secret: secret, language: language,
            counters: counters, plaintext: configuration.plaintext ?? false)
    }

    public func connect() async throws -> GiupXaConnection {
        let counter = try counters.nextHandshakeCounter(now: Date())
        let agencyDictionary = agencyDictionaryToOffer()
        let hello = GiupXaConnection.hello(
            agencyCode: agencyCode, security: security, secret: secret, counter: counter, language: language.rawValue,
            requestStream: requestStream)
        return try await GiupXaConnection.connect(
            host: host, port: port, hello: hello, security: security, agencyDictionary: agencyDictionary
        ) { [counters] floor in
            try? counters.raiseHandshakeCounter(above: floor)
        }
    }

    /// The agency part to offer: the newest acknowledged visits that fit, unless the server
    /// refused this very part (or too many in a row). A store that cannot be read offers none:
    /// the sync goes on with the published dictionary.
    private func agencyDictionaryToOffer() -> AgencyDictionary? {
        guard let history,
              let visits = try? history.acknowledgedVisits(newestFirst: AgencyDictionary.maxVisits),
              let part = AgencyDictionary(newestFirst: visits),
              (try? history.shouldOfferAgencyDictionary(digest: part.digest, now: Date())) == true
        else { return nil }
        return part
    }

    /// Runs `body` on a fresh connection, closed afterwards. A handshake refused because
    /// another device with this credential used a higher counter is retried once at once.
    public func withConnection<T: Sendable>(_ body: (GiupXaConnection) async throws -> T) async throws -> T {
        var attempt = 0
        while true {
            attempt += 1
            let connection = try await connect()
            do {
                let result = try await body(connection)
                await connection.close()
                return result
            } catch let error as RPCError where error.code == .aborted && attempt == 1 {
                await connection.close()
                continue
            } catch {
                await connection.close()
                throw error
            }
        }
    }

    /// The compliance report (method 5): an operator's for any agency or the province, an
    /// agency's for itself.
    public func complianceReport(_ request: Giupxa_V1_ComplianceReportRequest) async throws -> ComplianceReport {
        let response = try await withConnection { connection in
            try await connection.call(.complianceReport, request, as: Giupxa_V1_ComplianceReportResponse.self, timeout: callTimeout)
        }
        do {
            return try response.toModel()
        } catch {
            throw RPCError(code: .internal, message: "unreadable report from the server: \(error.message(language))")
        }
    }

    /// Fetches the agency's assignments and replaces the offline cache with them.
    public func refreshAssignments(into outbox: Outbox) async throws -> [Outbox.CachedAssignment] {
        let response = try await withConnection { connection in
            try await connection.call(
                .listAssignments, Giupxa_V1_ListAssignmentsRequest(), as: Giupxa_V1_ListAssignmentsResponse.self,
                timeout: callTimeout)
        }
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
        try await withConnection { connection in
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
}

/// Client-side problems the user can fix.
public enum ClientError: Error, Sendable, Hashable {
    /// A setting `giupxa config set` has not been given.
    case notConfigured(String)
    /// The configured secret is not a v2 credential ("gx2_…").
    case invalidCredential

    public func message(_ language: Language) -> String {
        switch self {
        case .notConfigured(let setting):
            language.pick(
                vi: "Chưa cấu hình \(setting): chạy `giupxa config set --\(setting) …`",
                en: "\(setting) is not configured: run `giupxa config set --\(setting) …`")
        case .invalidCredential:
            language.pick(
                vi: "Khoá truy cập không đúng dạng (phải bắt đầu bằng gx2_ và dài 90 ký tự): hãy chép lại nguyên văn khoá cơ quan thường trực cấp",
                en: "Malformed credential (it starts with gx2_ and is 90 characters long): copy it again exactly as issued")
        }
    }
}
