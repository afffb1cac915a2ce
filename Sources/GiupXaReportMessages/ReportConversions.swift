import Foundation
public import GiupXaMessages
public import GiupXaModels
public import GiupXaReports
import SwiftProtobuf

// The compliance report on the wire (method 5) and back. Receiving is lenient about what it
// cannot map (an unknown category or flag from a newer server is dropped), since a report is
// read, never stored.

extension Giupxa_V1_ReportPolicy {
    public init(_ policy: ReportPolicy) {
        self.init()
        yearStarts = policy.yearStarts
        halfYearStarts = policy.halfYearStarts
        minHoursOnSite = policy.tokenVisit.minHoursOnSite
        requireWrittenPlan = policy.tokenVisit.requireWrittenPlan
        giftOnly = policy.tokenVisit.giftOnly
        mostlyGiftsShare = policy.mostlyGiftsShare
        mostlyTokenShare = policy.mostlyTokenShare
        minVisitsForShare = UInt32(clamping: policy.minVisitsForShare)
        silentDays = UInt32(clamping: policy.silentDays)
    }

    /// Checked like a policy file, so a client cannot ask for nonsense thresholds.
    public func toModel() throws(ValidationError) -> ReportPolicy {
        let json: [String: Any] = [
            "year_starts": yearStarts, "half_year_starts": halfYearStarts,
            "token_visit": ["min_hours_on_site": minHoursOnSite, "require_written_plan": requireWrittenPlan, "gift_only": giftOnly],
            "mostly_gifts_share": mostlyGiftsShare, "mostly_token_share": mostlyTokenShare,
            "min_visits_for_share": minVisitsForShare, "silent_days": silentDays,
        ]
        guard let data = try? JSONSerialization.data(withJSONObject: json) else {
            throw ValidationError([FieldIssue(field: "policy", reason: .invalidFormat)])
        }
        return try ReportPolicy.parse(data)
    }
}

extension Giupxa_V1_ComplianceReportResponse {
    public init(_ report: ComplianceReport) {
        self.init()
        periodLabel = report.period.label
        fromDay = UInt32(report.period.from.yyyymmdd)
        toDay = UInt32(report.period.to.yyyymmdd)
        policy = Giupxa_V1_ReportPolicy(report.policy)
        let p = report.province
        province = .with {
            $0.agencies = UInt32(p.agencies)
            $0.assignments = UInt32(p.assignments)
            $0.assignmentsVisited = UInt32(p.assignmentsVisited)
            $0.assignmentsNotVisited = UInt32(p.assignmentsNotVisited)
            $0.visits = UInt32(p.visits)
            $0.daysOnSite = UInt32(p.daysOnSite)
            $0.hoursOnSite = p.hoursOnSite
            $0.tokenVisits = UInt32(p.tokenVisits)
            $0.giftOnlyVisits = UInt32(p.giftOnlyVisits)
            $0.supportVnd = p.supportVnd
            if let share = p.planShare { $0.planShare = share }
            $0.agenciesSilent = UInt32(p.agenciesSilent)
            $0.agenciesMostlyGifts = UInt32(p.agenciesMostlyGifts)
            $0.agenciesMostlyToken = UInt32(p.agenciesMostlyToken)
            $0.visitsPerMonth = p.visitsPerMonth.map { m in .with { $0.month = m.month; $0.visits = UInt32(m.visits) } }
        }
        agencies = report.agencies.map { a in
            .with {
                $0.code = a.code
                $0.name = a.name
                $0.communesAssigned = UInt32(a.communesAssigned)
                $0.communesVisited = UInt32(a.communesVisited)
                $0.visits = UInt32(a.visits)
                $0.daysOnSite = UInt32(a.daysOnSite)
                $0.hoursOnSite = a.hoursOnSite
                $0.cadres = UInt32(a.cadres)
                if let share = a.planShare { $0.planShare = share }
                $0.categories = a.categories.map(Self.category)
                $0.categoryVisits = a.categoryVisits.mapValues { UInt32($0) }
                $0.supportVnd = a.supportVnd
                $0.tokenVisits = UInt32(a.tokenVisits)
                $0.giftOnlyVisits = UInt32(a.giftOnlyVisits)
                $0.lastVisit = UInt32(a.lastVisit?.yyyymmdd ?? 0)
                $0.daysSilent = UInt32(a.daysSilent)
                $0.flags = a.flags.map(\.rawValue)
                $0.communes = a.communes.map { c in
                    .with {
                        $0.code = c.code
                        $0.name = c.name
                        $0.district = c.district
                        $0.inScope = c.inScope
                        $0.visits = UInt32(c.visits)
                        $0.daysOnSite = UInt32(c.daysOnSite)
                        $0.hoursOnSite = c.hoursOnSite
                        $0.cadres = UInt32(c.cadres)
                        if let share = c.planShare { $0.planShare = share }
                        $0.categories = c.categories.map(Self.category)
                        $0.supportVnd = c.supportVnd
                        $0.tokenVisits = UInt32(c.tokenVisits)
                        $0.lastVisit = UInt32(c.lastVisit?.yyyymmdd ?? 0)
                        $0.flags = c.flags.map(\.rawValue)
                    }
                }
            }
        }
    }

    static func category(_ c: ActivityCategory) -> Giupxa_V1_ActivityCategory {
        Giupxa_V1_ActivityCategory(rawValue: c.number) ?? .unspecified
    }

    public func toModel() throws(ValidationError) -> ComplianceReport {
        guard let from = CivilDate(yyyymmdd: Int(fromDay)), let to = CivilDate(yyyymmdd: Int(toDay)) else {
            throw ValidationError([FieldIssue(field: "from_day", reason: .invalidFormat)])
        }
        let day = { (n: UInt32) in n == 0 ? nil : CivilDate(yyyymmdd: Int(n)) }
        let categories = { (list: [Giupxa_V1_ActivityCategory]) in list.compactMap { ActivityCategory(number: $0.rawValue) } }
        let p = province
        return ComplianceReport(
            period: ReportPeriod(label: periodLabel, from: from, to: to),
            policy: (try? policy.toModel()) ?? .default,
            province: ProvinceSummary(
                agencies: Int(p.agencies), assignments: Int(p.assignments), assignmentsVisited: Int(p.assignmentsVisited),
                assignmentsNotVisited: Int(p.assignmentsNotVisited), visits: Int(p.visits), daysOnSite: Int(p.daysOnSite),
                hoursOnSite: p.hoursOnSite, tokenVisits: Int(p.tokenVisits), giftOnlyVisits: Int(p.giftOnlyVisits),
                supportVnd: p.supportVnd, planShare: p.hasPlanShare ? p.planShare : nil, agenciesSilent: Int(p.agenciesSilent),
                agenciesMostlyGifts: Int(p.agenciesMostlyGifts), agenciesMostlyToken: Int(p.agenciesMostlyToken),
                visitsPerMonth: p.visitsPerMonth.map { MonthCount(month: $0.month, visits: Int($0.visits)) }),
            agencies: agencies.map { a in
                AgencyCompliance(
                    code: a.code, name: a.name, communesAssigned: Int(a.communesAssigned), communesVisited: Int(a.communesVisited),
                    visits: Int(a.visits), daysOnSite: Int(a.daysOnSite), hoursOnSite: a.hoursOnSite, cadres: Int(a.cadres),
                    planShare: a.hasPlanShare ? a.planShare : nil, categories: categories(a.categories),
                    categoryVisits: a.categoryVisits.mapValues { Int($0) }, supportVnd: a.supportVnd, tokenVisits: Int(a.tokenVisits),
                    giftOnlyVisits: Int(a.giftOnlyVisits), lastVisit: day(a.lastVisit), daysSilent: Int(a.daysSilent),
                    flags: a.flags.compactMap(AgencyFlag.init(rawValue:)),
                    communes: a.communes.map { c in
                        CommuneCompliance(
                            code: c.code, name: c.name, district: c.district, inScope: c.inScope, visits: Int(c.visits),
                            daysOnSite: Int(c.daysOnSite), hoursOnSite: c.hoursOnSite, cadres: Int(c.cadres),
                            planShare: c.hasPlanShare ? c.planShare : nil, categories: categories(c.categories),
                            supportVnd: c.supportVnd, tokenVisits: Int(c.tokenVisits), lastVisit: day(c.lastVisit),
                            flags: c.flags.compactMap(RowFlag.init(rawValue:)))
                    })
            })
    }
}
