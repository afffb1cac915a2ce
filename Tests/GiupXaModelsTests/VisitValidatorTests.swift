import Foundation
import GiupXaModels
import Testing

@Suite struct VisitValidatorTests {
    static let start = VietnameseFormat.parseDateTime("12/03/2019 08:00")!

    static func goodVisit() -> Visit {
        Visit(
            communeCode: "03376", start: start, end: start.addingTimeInterval(2 * 86_400),
            cadres: [Cadre(name: "Lò Văn Minh", position: "Phó Giám đốc")],
            plan: VisitPlan(hasWrittenPlan: true, summary: "Rà soát hộ nghèo"),
            activities: [Activity(category: .socioEconomicReview, description: "Rà soát 45 hộ")],
            support: [SupportItem(description: "Chăn ấm", quantity: 20, unit: "chiếc", valueVND: 4_000_000)])
    }

    func issues(_ change: (inout Visit) -> Void) -> [FieldIssue] {
        var visit = Self.goodVisit()
        change(&visit)
        return VisitValidator().issues(in: visit.normalized(), now: Self.start.addingTimeInterval(365 * 86_400))
    }

    @Test func aGoodVisitPasses() {
        #expect(issues { _ in }.isEmpty)
    }

    @Test(arguments: [
        ("end before start", { @Sendable (v: inout Visit) in v.end = v.start.addingTimeInterval(-60) }, "end", FieldIssue.Reason.endBeforeStart),
        ("no cadre", { @Sendable (v: inout Visit) in v.cadres = [] }, "cadres", .required),
        ("empty cadre name", { @Sendable (v: inout Visit) in v.cadres = [Cadre(name: "  ")] }, "cadres[0].name", .required),
        ("negative value", { @Sendable (v: inout Visit) in v.support[0].valueVND = -1 }, "support[0].value_vnd", .negative),
        ("negative quantity", { @Sendable (v: inout Visit) in v.support[0].quantity = -2 }, "support[0].quantity", .negative),
        ("text too long", { @Sendable (v: inout Visit) in v.results = String(repeating: "ả", count: 4001) }, "results", .tooLong),
        ("plan without summary", { @Sendable (v: inout Visit) in v.plan = VisitPlan(hasWrittenPlan: true, summary: "") }, "plan.summary", .required),
        ("bad commune code", { @Sendable (v: inout Visit) in v.communeCode = "Keo Lom" }, "commune", .invalidFormat),
        ("control characters", { @Sendable (v: inout Visit) in v.results = "ok\u{0007}" }, "results", .controlCharacters),
        ("too long a stay", { @Sendable (v: inout Visit) in v.end = v.start.addingTimeInterval(61 * 86_400) }, "end", .durationTooLong),
        ("before 2012", { @Sendable (v: inout Visit) in v.start = Date(timeIntervalSince1970: 0) }, "start", .tooEarly),
        ("in the future", { @Sendable (v: inout Visit) in v.start = Date().addingTimeInterval(800 * 86_400); v.end = v.start.addingTimeInterval(3600) }, "start", .inFuture),
    ] as [(String, @Sendable (inout Visit) -> Void, String, FieldIssue.Reason)])
    func badInputIsATypedFieldIssue(_ name: String, _ change: @Sendable (inout Visit) -> Void, _ field: String, _ reason: FieldIssue.Reason) {
        let found = issues(change)
        #expect(found.contains { $0.field == field && $0.reason == reason }, "\(name): got \(found)")
    }

    @Test func messagesNameTheFieldInBothLanguages() {
        let issue = FieldIssue(field: "cadres[0].name", reason: .required)
        #expect(issue.message(.vi) == "cadres[0].name: bắt buộc, không được để trống")
        #expect(issue.message(.en) == "cadres[0].name: is required")
        let tooLong = FieldIssue(field: "results", reason: .tooLong, limit: 4000)
        #expect(tooLong.message(.vi).contains("tối đa 4000 ký tự"))
    }

    @Test func normalisationMakesNFDAndNFCVisitsEqual() {
        var nfd = Self.goodVisit()
        nfd.cadres = [Cadre(name: "Lò Văn Minh".decomposedStringWithCanonicalMapping, position: "Phó Giám đốc")]
        nfd.results = "Đã hoàn thành".decomposedStringWithCanonicalMapping
        var nfc = Self.goodVisit()
        nfc.id = nfd.id
        nfc.results = "Đã hoàn thành"
        #expect(nfd.normalized() == nfc.normalized())
    }

    @Test func categoriesHaveStableNumbers() {
        #expect(ActivityCategory.allCases.count == 10)
        #expect(ActivityCategory.socioEconomicReview.number == 1)
        #expect(ActivityCategory.materialSupport.number == 10)
        #expect(ActivityCategory(number: 11) == nil)
        #expect(ActivityCategory(number: 0) == nil)
    }
}
