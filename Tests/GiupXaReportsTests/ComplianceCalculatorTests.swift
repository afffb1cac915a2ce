import Foundation
import GiupXaModels
import GiupXaReports
import Testing

@Suite struct ComplianceCalculatorTests {
    static func day(_ text: String) -> CivilDate { CivilDate(parsing: text)! }
    static func at(_ text: String) -> Date { VietnameseFormat.parseDateTime(text)! }

    static let decisions = [
        Decision(number: "708/QĐ-UBND", signedOn: day("17/08/2017"), period: DateRange(start: day("17/08/2017"), end: day("31/12/2020")), standingAgencyCode: "BDT"),
        Decision(number: "2072/QĐ-UBND", signedOn: day("17/12/2019"), period: DateRange(start: day("01/01/2020"), end: day("31/12/2025")), standingAgencyCode: "BDT"),
    ]
    static let assignments = [
        Assignment(decisionNumber: "708/QĐ-UBND", agencyCode: "STNMT", communeCode: "03376", role: .lead),
        Assignment(decisionNumber: "708/QĐ-UBND", agencyCode: "STNMT", communeCode: "03208", role: .lead),
        Assignment(decisionNumber: "2072/QĐ-UBND", agencyCode: "STNMT", communeCode: "03211", role: .lead),
        Assignment(decisionNumber: "708/QĐ-UBND", agencyCode: "SYT", communeCode: "03211", role: .lead),
    ]

    static func visit(_ agency: String, _ commune: String, _ start: String, _ end: String, plan: Bool = true,
                      activities: [ActivityCategory] = [.productionModels], gifts: Int64 = 0, cadres: [String] = ["Lò Văn Minh"]) -> Visit {
        Visit(
            agencyCode: agency, communeCode: commune, start: at(start), end: at(end),
            cadres: cadres.map { Cadre(name: $0, position: "") }, plan: VisitPlan(hasWrittenPlan: plan, summary: plan ? "Kế hoạch" : ""),
            activities: activities.map { Activity(category: $0, description: "x") },
            support: gifts > 0 ? [SupportItem(description: "Chăn", quantity: 1, unit: "chiếc", valueVND: gifts)] : [])
    }

    @Test func periodsFollowDecree09AndThePolicy() throws {
        let year = try ReportPeriod.named("2019", policy: .default)
        #expect((year.from, year.to) == (Self.day("15/12/2018"), Self.day("14/12/2019")))
        let h1 = try ReportPeriod.named("2019-h1", policy: .default)
        #expect((h1.from, h1.to) == (Self.day("15/12/2018"), Self.day("14/06/2019")))
        let h2 = try ReportPeriod.named("2019-H2", policy: .default)
        #expect((h2.from, h2.to) == (Self.day("15/06/2019"), Self.day("14/12/2019")))
        var calendar = ReportPolicy.default
        calendar.yearStarts = "01/01"
        calendar.halfYearStarts = "01/07"
        let plain = try ReportPeriod.named("2019", policy: calendar)
        #expect((plain.from, plain.to) == (Self.day("01/01/2019"), Self.day("31/12/2019")))
        #expect(throws: ValidationError.self) { try ReportPeriod.named("2019-Q3", policy: .default) }
        #expect(throws: ValidationError.self) { try ReportPeriod.custom(from: Self.day("02/01/2019"), to: Self.day("01/01/2019")) }
    }

    @Test func policyFilesAreCheckedKeyByKey() throws {
        let edited = try ReportPolicy.parse(Data(#"{"silent_days": 30, "token_visit": {"min_hours_on_site": 8}}"#.utf8))
        #expect(edited.silentDays == 30 && edited.tokenVisit.minHoursOnSite == 8 && edited.tokenVisit.requireWrittenPlan)
        #expect(try ReportPolicy.parse(ReportPolicy.default.json()) == .default)
        #expect {
            try ReportPolicy.parse(Data(#"{"silent_dayz": 30, "mostly_gifts_share": 2, "token_visit": {"gift_only": "yes"}, "year_starts": "31/02"}"#.utf8))
        } throws: { error in
            let fields = (error as? ValidationError)?.issues.map(\.field) ?? []
            return Set(fields) == ["silent_dayz", "mostly_gifts_share", "token_visit.gift_only", "year_starts"]
        }
    }

    @Test func figuresFlagsAndSupersession() throws {
        let period = try ReportPeriod.named("2020", policy: .default)  // 15/12/2019 – 14/12/2020
        let visits = [
            // Under decision 708 (in force until 31/12/2019): a good two-day visit.
            Self.visit("STNMT", "03376", "20/12/2019 08:00", "21/12/2019 17:00", cadres: ["Lò Văn Minh", "Giàng Thị Dợ"]),
            // Under 2072: three hours, gifts only — a token visit on every count.
            Self.visit("STNMT", "03211", "10/03/2020 08:00", "10/03/2020 11:00", plan: false, activities: [.materialSupport], gifts: 4_000_000,
                       cadres: ["LÒ VĂN MINH"]),
            // Before the period: counts only for the days since the last visit.
            Self.visit("SYT", "03211", "01/06/2019 08:00", "02/06/2019 08:00"),
        ]
        let input = ReportInput(
            agencies: DefaultData.agencies, communes: DefaultData.communes, decisions: Self.decisions,
            assignments: Self.assignments, visits: visits)
        let report = ComplianceCalculator.report(period: period, policy: .default, input: input)

        let stnmt = try #require(report.agencies.first { $0.code == "STNMT" })
        // In scope: 708 for 15–31/12/2019 (03376, 03208), then 2072 (03211).
        #expect(Set(stnmt.communes.map(\.code)) == ["03376", "03208", "03211"])
        #expect(stnmt.communesAssigned == 3 && stnmt.communesVisited == 2)
        #expect(stnmt.visits == 2 && stnmt.daysOnSite == 3 && abs(stnmt.hoursOnSite - 36) < 1e-9)
        #expect(stnmt.cadres == 2, "names match without case or tones")
        #expect(stnmt.planShare == 0.5 && stnmt.tokenVisits == 1 && stnmt.giftOnlyVisits == 1 && stnmt.supportVnd == 4_000_000)
        #expect(stnmt.categories == [.productionModels, .materialSupport])
        #expect(stnmt.lastVisit == Self.day("10/03/2020") && stnmt.daysSilent == 279 && stnmt.flags == [.silent])
        #expect(stnmt.communes.first { $0.code == "03208" }?.flags == [.notVisited])

        // SYT's 708 assignment was in force for the period's first 17 days: in scope, not visited.
        let syt = try #require(report.agencies.first { $0.code == "SYT" })
        #expect(syt.visits == 0 && syt.communes.map(\.flags) == [[.notVisited]])
        #expect(syt.lastVisit == Self.day("02/06/2019") && syt.flags == [.silent])

        #expect(report.province.assignments == 4 && report.province.assignmentsVisited == 2 && report.province.visits == 2)
        #expect(report.province.visitsPerMonth.count == 13 && report.province.visitsPerMonth.map(\.visits).reduce(0, +) == 2)
        // Agencies in Vietnamese order: "Sở Tài nguyên…" before "Sở Y tế".
        #expect(report.agencies.map(\.code) == ["STNMT", "SYT"])

        // A lenient policy clears the token flag and the silence.
        var lenient = ReportPolicy.default
        lenient.tokenVisit = .init(minHoursOnSite: 1, requireWrittenPlan: false, giftOnly: false)
        lenient.silentDays = 600
        let relaxed = ComplianceCalculator.report(period: period, policy: lenient, input: input)
        #expect(relaxed.agencies.first { $0.code == "STNMT" }?.tokenVisits == 0)
        #expect(relaxed.province.agenciesSilent == 0)
    }
}
