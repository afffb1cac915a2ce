import Foundation
import GiupXaModels
@testable import GiupXaReports
import Testing

/// Issue 15, finding 10: a name that a spreadsheet would run as a formula is written as text.
@Suite struct ReportCSVTests {
    @Test func cellsThatWouldBeFormulasAreWrittenAsText() throws {
        let T = ReportHTMLTests.self
        let agencies = [
            T.agency("=X", "=HYPERLINK(\"http://x\",\"y\")", communes: [
                T.commune("03376", "+Keo Lôm", district: "-1+2", visits: 1, days: 1, hours: 8, last: "02/12/2019"),
                T.commune("03208", "@SUM(A1)", district: "\tHuyện"),
            ], categoryVisits: ["socio_economic_review": 1]),
        ]
        let report = ComplianceReport(
            period: ReportPeriod(label: "2019", from: T.day("15/12/2018"), to: T.day("14/12/2019")), policy: .default,
            province: T.province(agencies, months: T.months([1])), agencies: agencies)
        let csv = String(decoding: ReportCSV.render(report, language: .vi).dropFirst(3), as: UTF8.self)
        let cells = csv.split(separator: "\r\n").dropFirst().flatMap { $0.split(separator: ",", omittingEmptySubsequences: false) }
        for dangerous in ["\"=", "\"+", "\"-", "\"@", "\"\t"] {
            #expect(!cells.contains { $0.hasPrefix(dangerous) }, "a cell starts with \(dangerous): \(csv)")
        }
        #expect(csv.contains("\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\""))
        #expect(csv.contains("\"'+Keo Lôm\""))
        // Numbers stay numbers.
        #expect(csv.contains("\"8,0\""))
    }
}
