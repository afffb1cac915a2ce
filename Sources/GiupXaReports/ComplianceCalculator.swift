import Foundation
public import GiupXaModels

/// What a report is computed from: reference data, every decision with its assignments, and
/// the latest revision of every visit that started by the period's end.
public struct ReportInput: Sendable {
    public var agencies: [Agency]
    public var communes: [Commune]
    public var decisions: [Decision]
    public var assignments: [Assignment]
    public var visits: [Visit]

    public init(agencies: [Agency], communes: [Commune], decisions: [Decision], assignments: [Assignment], visits: [Visit]) {
        self.agencies = agencies
        self.communes = communes
        self.decisions = decisions
        self.assignments = assignments
        self.visits = visits
    }
}

/// Computes the compliance report exactly as Protocol/REPORT.md defines it.
public enum ComplianceCalculator {
    public static func report(period: ReportPeriod, policy: ReportPolicy, input: ReportInput, onlyAgency: String? = nil) -> ComplianceReport {
        let scope = pairsInScope(period: period, decisions: input.decisions, assignments: input.assignments)
        let inPeriod = input.visits.filter { period.contains(CivilDate($0.start)) }
        let agencyByCode = Dictionary(input.agencies.map { ($0.code, $0) }, uniquingKeysWith: { a, _ in a })
        let communeByCode = Dictionary(input.communes.map { ($0.code, $0) }, uniquingKeysWith: { a, _ in a })

        var rows: [Pair: [Visit]] = Dictionary(uniqueKeysWithValues: scope.map { ($0, []) })
        for visit in inPeriod { rows[Pair(agency: visit.agencyCode, commune: visit.communeCode), default: []].append(visit) }
        if let onlyAgency { rows = rows.filter { $0.key.agency == onlyAgency } }
        var lastVisit: [String: CivilDate] = [:]
        for visit in input.visits where CivilDate(visit.start) <= period.to {
            let end = CivilDate(visit.end)
            if lastVisit[visit.agencyCode].map({ $0 < end }) ?? true { lastVisit[visit.agencyCode] = end }
        }

        var agencies: [AgencyCompliance] = []
        for (code, pairs) in Dictionary(grouping: rows.keys, by: \.agency) {
            let agencyVisits = pairs.flatMap { rows[$0]! }
            let figures = figures(agencyVisits, policy: policy)
            var communes: [CommuneCompliance] = pairs.map { pair in
                let visits = rows[pair]!
                let f = Self.figures(visits, policy: policy)
                let commune = communeByCode[pair.commune]
                let inScope = scope.contains(pair)
                return CommuneCompliance(
                    code: pair.commune, name: commune?.name ?? pair.commune, district: commune?.district.name ?? "",
                    inScope: inScope, visits: f.visits, daysOnSite: f.daysOnSite, hoursOnSite: f.hoursOnSite,
                    cadres: cadreCount(visits), planShare: f.planShare, categories: categories(visits),
                    supportVnd: f.supportVnd, tokenVisits: f.tokenVisits,
                    lastVisit: visits.map { CivilDate($0.end) }.max(),
                    flags: inScope && visits.isEmpty ? [.notVisited] : [])
            }
            communes.sort { VietnameseCollation.areInIncreasingOrder($0.name, $1.name) }
            let last = lastVisit[code]
            let daysSilent = last.map { max(0, period.to.days(since: $0)) } ?? period.length
            var flags: [AgencyFlag] = []
            if daysSilent > policy.silentDays { flags.append(.silent) }
            let counted = figures.visits >= policy.minVisitsForShare && figures.visits > 0
            if counted && Double(figures.giftOnlyVisits) / Double(figures.visits) > policy.mostlyGiftsShare { flags.append(.mostlyGifts) }
            if counted && Double(figures.tokenVisits) / Double(figures.visits) > policy.mostlyTokenShare { flags.append(.tokenVisits) }
            var categoryVisits: [String: Int] = [:]
            for visit in agencyVisits {
                for category in Set(visit.activities.map(\.category)) { categoryVisits[category.rawValue, default: 0] += 1 }
            }
            agencies.append(AgencyCompliance(
                code: code, name: agencyByCode[code]?.name ?? code,
                communesAssigned: pairs.filter { scope.contains($0) }.count,
                communesVisited: pairs.filter { !rows[$0]!.isEmpty }.count,
                visits: figures.visits, daysOnSite: figures.daysOnSite, hoursOnSite: figures.hoursOnSite,
                cadres: cadreCount(agencyVisits), planShare: figures.planShare, categories: categories(agencyVisits),
                categoryVisits: categoryVisits, supportVnd: figures.supportVnd, tokenVisits: figures.tokenVisits,
                giftOnlyVisits: figures.giftOnlyVisits, lastVisit: last, daysSilent: daysSilent, flags: flags,
                communes: communes))
        }
        agencies.sort { VietnameseCollation.areInIncreasingOrder($0.name, $1.name) }

        let all = figures(rows.values.flatMap { $0 }, policy: policy)
        let assignments = agencies.reduce(0) { $0 + $1.communesAssigned }
        let visited = agencies.flatMap(\.communes).filter { $0.inScope && $0.visits > 0 }.count
        let province = ProvinceSummary(
            agencies: agencies.count, assignments: assignments, assignmentsVisited: visited,
            assignmentsNotVisited: assignments - visited, visits: all.visits, daysOnSite: all.daysOnSite,
            hoursOnSite: all.hoursOnSite, tokenVisits: all.tokenVisits, giftOnlyVisits: all.giftOnlyVisits,
            supportVnd: all.supportVnd, planShare: all.planShare,
            agenciesSilent: agencies.filter { $0.flags.contains(.silent) }.count,
            agenciesMostlyGifts: agencies.filter { $0.flags.contains(.mostlyGifts) }.count,
            agenciesMostlyToken: agencies.filter { $0.flags.contains(.tokenVisits) }.count,
            visitsPerMonth: visitsPerMonth(rows.values.flatMap { $0 }, period: period))
        return ComplianceReport(period: period, policy: policy, province: province, agencies: agencies)
    }

    struct Pair: Hashable {
        var agency: String
        var commune: String
    }

    /// The pairs assigned by a decision in force (`Decision.inForce`) on at least one day of
    /// the period. Decisions supersede, they never rewrite.
    static func pairsInScope(period: ReportPeriod, decisions: [Decision], assignments: [Assignment]) -> Set<Pair> {
        var inForce = Set<String>()
        for offset in 0..<period.length {
            if let decision = Decision.inForce(on: period.from.adding(days: offset), among: decisions) { inForce.insert(decision.number) }
        }
        return Set(assignments.filter { inForce.contains($0.decisionNumber) }.map { Pair(agency: $0.agencyCode, commune: $0.communeCode) })
    }

    public static func isGiftOnly(_ visit: Visit) -> Bool {
        !visit.support.isEmpty && visit.activities.allSatisfy { $0.category == .materialSupport }
    }

    public static func isTokenVisit(_ visit: Visit, policy: ReportPolicy) -> Bool {
        let rule = policy.tokenVisit
        return visit.end.timeIntervalSince(visit.start) / 3600 < rule.minHoursOnSite
            || (rule.requireWrittenPlan && !visit.plan.hasWrittenPlan)
            || (rule.giftOnly && isGiftOnly(visit))
    }

    static func figures(_ visits: [Visit], policy: ReportPolicy) -> VisitFigures {
        var f = VisitFigures()
        for visit in visits {
            f.visits += 1
            f.daysOnSite += CivilDate(visit.end).days(since: CivilDate(visit.start)) + 1
            f.hoursOnSite += visit.end.timeIntervalSince(visit.start) / 3600
            if isTokenVisit(visit, policy: policy) { f.tokenVisits += 1 }
            if isGiftOnly(visit) { f.giftOnlyVisits += 1 }
            f.supportVnd += visit.supportTotalVND
            if visit.plan.hasWrittenPlan { f.writtenPlans += 1 }
        }
        return f
    }

    static func cadreCount(_ visits: [Visit]) -> Int {
        Set(visits.flatMap { $0.cadres.map { VietnameseText.searchKey($0.name) } }).count
    }

    static func categories(_ visits: [Visit]) -> [ActivityCategory] {
        let found = Set(visits.flatMap { $0.activities.map(\.category) })
        return ActivityCategory.allCases.filter(found.contains)
    }

    static func visitsPerMonth(_ visits: [Visit], period: ReportPeriod) -> [MonthCount] {
        var counts: [Int: Int] = [:]
        for visit in visits {
            let day = CivilDate(visit.start)
            counts[day.year * 12 + day.month - 1, default: 0] += 1
        }
        let first = period.from.year * 12 + period.from.month - 1, last = period.to.year * 12 + period.to.month - 1
        return (first...last).map { m in MonthCount(month: String(format: "%04d-%02d", m / 12, m % 12 + 1), visits: counts[m] ?? 0) }
    }
}
