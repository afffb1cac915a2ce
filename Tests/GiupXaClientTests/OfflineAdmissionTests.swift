import Foundation
import GiupXaClient
import GiupXaModels
import Testing

/// The device's own check of a visit against the province's communes and its cached assignments.
@Suite struct OfflineAdmissionTests {
    static func day(_ y: Int, _ m: Int, _ d: Int) -> CivilDate { CivilDate(year: y, month: m, day: d)! }

    static func cached(_ decision: String, _ commune: String, _ name: String, from: CivilDate, to: CivilDate) -> Outbox.CachedAssignment {
        Outbox.CachedAssignment(
            decisionNumber: decision, communeCode: commune, communeName: name, districtName: "Mường Nhé", role: .lead,
            period: DateRange(start: from, end: to), isSample: false)
    }

    static func visit(_ commune: String, _ y: Int, _ m: Int, _ d: Int) -> Visit {
        let start = Self.day(y, m, d).startOfDay.addingTimeInterval(8 * 3600)
        return Visit(communeCode: commune, start: start, end: start.addingTimeInterval(86_400), cadres: [Cadre(name: "Lò Văn Minh")])
    }

    /// 1/QĐ assigns Keo Lôm 2017–2020; 2/QĐ, from 2019, assigns only Phì Nhừ: from then on Keo Lôm is not the agency's.
    static let admission = OfflineAdmission(assignments: [
        cached("1/QĐ-UBND", "03376", "Keo Lôm", from: day(2017, 8, 17), to: day(2020, 12, 31)),
        cached("2/QĐ-UBND", "03208", "Phì Nhừ", from: day(2019, 5, 1), to: day(2022, 12, 31)),
    ], fetchedAt: Date())

    @Test func theDecisionInForceDecides() {
        #expect(Self.admission.check(Self.visit("03376", 2018, 3, 12)) == .admitted)
        #expect(Self.admission.check(Self.visit("03208", 2020, 3, 12)) == .admitted)
        guard case .refused(let superseded) = Self.admission.check(Self.visit("03376", 2019, 6, 12)) else {
            Issue.record("a visit under a superseded assignment is refused"); return
        }
        #expect(superseded.message(.vi) == "start: quyết định 2/QĐ-UBND, có hiệu lực từ 01/05/2019, không còn phân công xã 03376 Keo Lôm cho cơ quan")
        guard case .refused(let early) = Self.admission.check(Self.visit("03208", 2018, 3, 12)) else {
            Issue.record("a visit before the assignment's period is refused"); return
        }
        #expect(early.message(.en).contains("is assigned to your agency for 01/05/2019–31/12/2022"))
    }

    @Test func withoutACacheOnlyTheCommuneIsChecked() {
        let empty = OfflineAdmission(assignments: [], fetchedAt: nil)
        #expect(empty.check(Self.visit("03376", 2018, 3, 12)) == .unchecked)
        guard case .refused(let issue) = empty.check(Self.visit("99999", 2018, 3, 12)) else {
            Issue.record("an unknown commune is refused even without a cache"); return
        }
        #expect(issue.reason == .unknownCommune)
    }
}
