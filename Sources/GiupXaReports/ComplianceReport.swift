public import GiupXaModels

/// The periodic compliance report (Protocol/REPORT.md). Codable with snake_case keys: the JSON
/// output, and what the independent check in `Tools/datagen/expected_report.py` compares.
public struct ComplianceReport: Sendable, Hashable, Codable {
    public var period: ReportPeriod
    public var policy: ReportPolicy
    public var province: ProvinceSummary
    public var agencies: [AgencyCompliance]

    public init(period: ReportPeriod, policy: ReportPolicy, province: ProvinceSummary, agencies: [AgencyCompliance]) {
        self.period = period
        self.policy = policy
        self.province = province
        self.agencies = agencies
    }
}

/// What the report flags about an agency.
public enum AgencyFlag: String, Sendable, Hashable, Codable, CaseIterable {
    /// No visit for more than `silent_days` before the period's end.
    case silent
    /// Most visits only brought gifts.
    case mostlyGifts = "mostly_gifts"
    /// Most visits were token visits.
    case tokenVisits = "token_visits"
}

/// What the report flags about one assignment.
public enum RowFlag: String, Sendable, Hashable, Codable, CaseIterable {
    /// In scope for the period and never visited in it.
    case notVisited = "not_visited"
}

/// Figures shared by a row, an agency and the province.
public struct VisitFigures: Sendable, Hashable, Codable {
    public var visits = 0
    public var daysOnSite = 0
    public var hoursOnSite = 0.0
    public var tokenVisits = 0
    public var giftOnlyVisits = 0
    public var supportVnd: Int64 = 0
    public var writtenPlans = 0

    public init() {}

    /// Written plans ÷ visits; nil without visits.
    public var planShare: Double? { visits == 0 ? nil : Double(writtenPlans) / Double(visits) }
}

public struct CommuneCompliance: Sendable, Hashable, Codable {
    public var code: String
    public var name: String
    public var district: String
    /// Assigned by a decision in force during the period (false: visited under older rules).
    public var inScope: Bool
    public var visits: Int
    public var daysOnSite: Int
    public var hoursOnSite: Double
    public var cadres: Int
    @NullEncoded public var planShare: Double?
    public var categories: [ActivityCategory]
    public var supportVnd: Int64
    public var tokenVisits: Int
    @NullEncoded public var lastVisit: CivilDate?
    public var flags: [RowFlag]

    public init(code: String, name: String, district: String, inScope: Bool, visits: Int, daysOnSite: Int, hoursOnSite: Double, cadres: Int, planShare: Double?, categories: [ActivityCategory], supportVnd: Int64, tokenVisits: Int, lastVisit: CivilDate?, flags: [RowFlag]) {
        self.code = code
        self.name = name
        self.district = district
        self.inScope = inScope
        self.visits = visits
        self.daysOnSite = daysOnSite
        self.hoursOnSite = hoursOnSite
        self.cadres = cadres
        self.planShare = planShare
        self.categories = categories
        self.supportVnd = supportVnd
        self.tokenVisits = tokenVisits
        self.lastVisit = lastVisit
        self.flags = flags
    }
}

public struct AgencyCompliance: Sendable, Hashable, Codable {
    public var code: String
    public var name: String
    public var communesAssigned: Int
    public var communesVisited: Int
    public var visits: Int
    public var daysOnSite: Int
    public var hoursOnSite: Double
    public var cadres: Int
    @NullEncoded public var planShare: Double?
    public var categories: [ActivityCategory]
    /// Visits recording each category (only categories with visits).
    public var categoryVisits: [String: Int]
    public var supportVnd: Int64
    public var tokenVisits: Int
    public var giftOnlyVisits: Int
    /// The latest end of any visit started by the period's end, also before the period.
    @NullEncoded public var lastVisit: CivilDate?
    public var daysSilent: Int
    public var flags: [AgencyFlag]
    public var communes: [CommuneCompliance]

    public init(code: String, name: String, communesAssigned: Int, communesVisited: Int, visits: Int, daysOnSite: Int, hoursOnSite: Double, cadres: Int, planShare: Double?, categories: [ActivityCategory], categoryVisits: [String: Int], supportVnd: Int64, tokenVisits: Int, giftOnlyVisits: Int, lastVisit: CivilDate?, daysSilent: Int, flags: [AgencyFlag], communes: [CommuneCompliance]) {
        self.code = code
        self.name = name
        self.communesAssigned = communesAssigned
        self.communesVisited = communesVisited
        self.visits = visits
        self.daysOnSite = daysOnSite
        self.hoursOnSite = hoursOnSite
        self.cadres = cadres
        self.planShare = planShare
        self.categories = categories
        self.categoryVisits = categoryVisits
        self.supportVnd = supportVnd
        self.tokenVisits = tokenVisits
        self.giftOnlyVisits = giftOnlyVisits
        self.lastVisit = lastVisit
        self.daysSilent = daysSilent
        self.flags = flags
        self.communes = communes
    }
}

public struct MonthCount: Sendable, Hashable, Codable {
    /// "2019-01"
    public var month: String
    public var visits: Int

    public init(month: String, visits: Int) {
        self.month = month
        self.visits = visits
    }
}

public struct ProvinceSummary: Sendable, Hashable, Codable {
    public var agencies: Int
    public var assignments: Int
    public var assignmentsVisited: Int
    public var assignmentsNotVisited: Int
    public var visits: Int
    public var daysOnSite: Int
    public var hoursOnSite: Double
    public var tokenVisits: Int
    public var giftOnlyVisits: Int
    public var supportVnd: Int64
    @NullEncoded public var planShare: Double?
    public var agenciesSilent: Int
    public var agenciesMostlyGifts: Int
    public var agenciesMostlyToken: Int
    public var visitsPerMonth: [MonthCount]

    public init(agencies: Int, assignments: Int, assignmentsVisited: Int, assignmentsNotVisited: Int, visits: Int, daysOnSite: Int, hoursOnSite: Double, tokenVisits: Int, giftOnlyVisits: Int, supportVnd: Int64, planShare: Double?, agenciesSilent: Int, agenciesMostlyGifts: Int, agenciesMostlyToken: Int, visitsPerMonth: [MonthCount]) {
        self.agencies = agencies
        self.assignments = assignments
        self.assignmentsVisited = assignmentsVisited
        self.assignmentsNotVisited = assignmentsNotVisited
        self.visits = visits
        self.daysOnSite = daysOnSite
        self.hoursOnSite = hoursOnSite
        self.tokenVisits = tokenVisits
        self.giftOnlyVisits = giftOnlyVisits
        self.supportVnd = supportVnd
        self.planShare = planShare
        self.agenciesSilent = agenciesSilent
        self.agenciesMostlyGifts = agenciesMostlyGifts
        self.agenciesMostlyToken = agenciesMostlyToken
        self.visitsPerMonth = visitsPerMonth
    }
}

/// An optional that JSON shows as `null` rather than leaving the key out, so readers of the
/// report see every field.
@propertyWrapper
public struct NullEncoded<Value: Sendable & Hashable & Codable>: Sendable, Hashable, Codable {
    public var wrappedValue: Value?

    public init(wrappedValue: Value?) {
        self.wrappedValue = wrappedValue
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        wrappedValue = container.decodeNil() ? nil : try container.decode(Value.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(wrappedValue)
    }
}

extension KeyedDecodingContainer {
    /// A missing key is a nil value, as for a plain optional.
    public func decode<Value>(_ type: NullEncoded<Value>.Type, forKey key: Key) throws -> NullEncoded<Value> {
        try decodeIfPresent(type, forKey: key) ?? NullEncoded(wrappedValue: nil)
    }
}
