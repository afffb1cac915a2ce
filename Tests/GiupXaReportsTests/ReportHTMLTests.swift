import Foundation
import GiupXaModels
@testable import GiupXaReports
import Testing

/// The HTML report on a small hand-made report. Set GIUPXA_WRITE_HTML=/tmp/report.html to also
/// write the rendered pages (report.html, report.en.html, report.large.html) for a look in a browser.
@Suite struct ReportHTMLTests {
    static let script = "Ban <script>alert(\"x\")</script> & Co"

    static func day(_ text: String) -> CivilDate { CivilDate(parsing: text)! }

    static func commune(
        _ code: String, _ name: String, district: String = "Huyện Điện Biên Đông", visits: Int = 0, days: Int = 0,
        hours: Double = 0, support: Int64 = 0, last: String? = nil, inScope: Bool = true
    ) -> CommuneCompliance {
        CommuneCompliance(
            code: code, name: name, district: district, inScope: inScope, visits: visits, daysOnSite: days,
            hoursOnSite: hours, cadres: visits == 0 ? 0 : 2, planShare: visits == 0 ? nil : 0.5,
            categories: visits == 0 ? [] : [.socioEconomicReview, .materialSupport], supportVnd: support,
            tokenVisits: visits / 2, lastVisit: last.map(day), flags: inScope && visits == 0 ? [.notVisited] : [])
    }

    static func agency(
        _ code: String, _ name: String, communes: [CommuneCompliance], categoryVisits: [String: Int],
        giftOnly: Int = 0, daysSilent: Int = 12, flags: [AgencyFlag] = []
    ) -> AgencyCompliance {
        let visits = communes.map(\.visits).reduce(0, +)
        return AgencyCompliance(
            code: code, name: name, communesAssigned: communes.filter(\.inScope).count,
            communesVisited: communes.filter { $0.visits > 0 }.count, visits: visits,
            daysOnSite: communes.map(\.daysOnSite).reduce(0, +), hoursOnSite: communes.map(\.hoursOnSite).reduce(0, +),
            cadres: visits == 0 ? 0 : 3, planShare: visits == 0 ? nil : 0.625,
            categories: ActivityCategory.allCases.filter { categoryVisits[$0.rawValue] != nil }, categoryVisits: categoryVisits,
            supportVnd: communes.map(\.supportVnd).reduce(0, +), tokenVisits: communes.map(\.tokenVisits).reduce(0, +),
            giftOnlyVisits: giftOnly, lastVisit: communes.compactMap(\.lastVisit).max(), daysSilent: daysSilent,
            flags: flags, communes: communes)
    }

    static func province(_ agencies: [AgencyCompliance], months: [MonthCount]) -> ProvinceSummary {
        let rows = agencies.flatMap(\.communes)
        return ProvinceSummary(
            agencies: agencies.count, assignments: rows.filter(\.inScope).count,
            assignmentsVisited: rows.filter { $0.inScope && $0.visits > 0 }.count,
            assignmentsNotVisited: rows.filter { $0.flags.contains(.notVisited) }.count,
            visits: agencies.map(\.visits).reduce(0, +), daysOnSite: agencies.map(\.daysOnSite).reduce(0, +),
            hoursOnSite: agencies.map(\.hoursOnSite).reduce(0, +), tokenVisits: agencies.map(\.tokenVisits).reduce(0, +),
            giftOnlyVisits: agencies.map(\.giftOnlyVisits).reduce(0, +), supportVnd: agencies.map(\.supportVnd).reduce(0, +),
            planShare: 0.5, agenciesSilent: agencies.filter { $0.flags.contains(.silent) }.count,
            agenciesMostlyGifts: agencies.filter { $0.flags.contains(.mostlyGifts) }.count,
            agenciesMostlyToken: agencies.filter { $0.flags.contains(.tokenVisits) }.count, visitsPerMonth: months)
    }

    static func months(_ counts: [Int]) -> [MonthCount] {
        counts.enumerated().map { index, count in
            let (year, month) = index == 0 ? (2018, 12) : (2019, index)
            return MonthCount(month: String(format: "%04d-%02d", year, month), visits: count)
        }
    }

    /// Three agencies: a diligent one, a silent one bringing mostly gifts with a commune it never
    /// visited, and one whose name and code try to inject markup.
    static let sample: ComplianceReport = {
        let agencies = [
            agency("HLHPN", "Hội Liên hiệp Phụ nữ tỉnh", communes: [
                commune("03160", "Chà Nưa", district: "Huyện Mường Chà"),
                commune("03154", "Mường Nhé", district: "Huyện Mường Nhé", visits: 4, days: 4, hours: 2.5, support: 45_000_000, last: "02/08/2019"),
            ], categoryVisits: ["material_support": 4, "education_health_social": 1], giftOnly: 3, daysSilent: 134, flags: [.silent, .mostlyGifts]),
            agency("STNMT", "Sở Tài nguyên và Môi trường", communes: [
                commune("03376", "Keo Lôm", visits: 7, days: 30, hours: 700.25, support: 1_234_567, last: "02/12/2019"),
                commune("03208", "Phì Nhừ", visits: 5, days: 21, hours: 480, last: "20/11/2019"),
            ], categoryVisits: ["socio_economic_review": 9, "development_planning": 4, "production_models": 12, "infrastructure": 2]),
            agency("X<1>", script, communes: [
                commune("03211", "Chiềng Sơ", district: "Huyện <b>bold</b>", visits: 1, days: 2, hours: 30, last: "01/03/2019"),
            ], categoryVisits: ["security_order": 1], daysSilent: 288, flags: [.silent]),
        ]
        let period = ReportPeriod(label: "2019", from: day("15/12/2018"), to: day("14/12/2019"))
        return ComplianceReport(
            period: period, policy: .default,
            province: province(agencies, months: months([0, 3, 1, 0, 2, 4, 0, 1, 2, 1, 3, 0, 1])), agencies: agencies)
    }()

    /// The size of the real province: 82 agencies with two communes each, long names included.
    static let large: ComplianceReport = {
        let allCategories = ActivityCategory.allCases.map(\.rawValue)
        var agencies: [AgencyCompliance] = []
        for index in 0..<82 {
            let first = index % 7, second = index % 5
            let communes = [
                commune("1\(index)", "Xã Huổi Lếnh \(index)", visits: first, days: first * 3, hours: Double(index) * 7.5,
                        support: Int64(index) * 1_500_000, last: first == 0 ? nil : "0\(index % 9 + 1)/10/2019"),
                commune("2\(index)", "Xã Mường Mươn \(index)", visits: second, days: second * 2, hours: Double(index),
                        last: second == 0 ? nil : "15/11/2019"),
            ]
            var categoryVisits: [String: Int] = [:]
            for (offset, category) in allCategories.enumerated() where (offset + index) % 3 != 0 {
                categoryVisits[category] = (offset + index) % 9 + 1
            }
            var flags: [AgencyFlag] = []
            if index % 3 == 0 { flags.append(.silent) }
            if index % 5 == 0 { flags.append(.mostlyGifts) }
            if index % 7 == 0 { flags.append(.tokenVisits) }
            let name = "Cơ quan thử nghiệm số \(index) — Ban Chỉ đạo giảm nghèo bền vững và xây dựng nông thôn mới"
            agencies.append(agency(
                "A\(index)", name, communes: communes, categoryVisits: categoryVisits,
                giftOnly: index % 4, daysSilent: index * 3, flags: flags))
        }
        let period = ReportPeriod(label: "2019", from: day("15/12/2018"), to: day("14/12/2019"))
        return ComplianceReport(
            period: period, policy: .default,
            province: province(agencies, months: months([40, 52, 61, 33, 20, 75, 81, 64, 59, 70, 66, 48, 12])), agencies: agencies)
    }()

    static func occurrences(of needle: String, in text: some StringProtocol) -> Int {
        text.components(separatedBy: needle).count - 1
    }

    /// The text of the n-th (0-based) `<svg …>…</svg>` of the page.
    static func svg(_ index: Int, in html: String) -> Substring {
        var rest = html[...]
        for _ in 0..<index {
            rest = rest[rest.range(of: "</svg>")!.upperBound...]
        }
        let start = rest.range(of: "<svg")!.lowerBound
        return rest[start..<rest.range(of: "</svg>")!.upperBound]
    }

    @Test func isOneCompleteSelfContainedDocument() throws {
        for language in Language.allCases {
            let html = ReportHTML.render(Self.sample, language: language)
            #expect(html.hasPrefix("<!DOCTYPE html>\n<html lang=\"\(language.rawValue)\">"))
            #expect(html.contains("<meta charset=\"utf-8\">"))
            #expect(html.contains("<style>"))
            #expect(html.hasSuffix("</body>\n</html>\n"))
            #expect(Self.occurrences(of: "<html", in: html) == 1)
            #expect(Self.occurrences(of: "<body>", in: html) == 1)
            // No script, nothing fetched: only the SVG namespace looks like a URL.
            #expect(!html.contains("<script"))
            #expect(!html.contains("https:"))
            #expect(Self.occurrences(of: "http://", in: html) == Self.occurrences(of: "xmlns=\"http://www.w3.org/2000/svg\"", in: html))
            for resource in ["src=", "href=", "url(", "@import", "@font-face", "<link", "<img"] {
                #expect(!html.contains(resource), "\(resource)")
            }
            // The same report gives the same bytes.
            #expect(html == ReportHTML.render(Self.sample, language: language))
        }
        if let path = ProcessInfo.processInfo.environment["GIUPXA_WRITE_HTML"], !path.isEmpty {
            let base = path.hasSuffix(".html") ? String(path.dropLast(5)) : path
            try ReportHTML.render(Self.sample, language: .vi).write(toFile: base + ".html", atomically: true, encoding: .utf8)
            try ReportHTML.render(Self.sample, language: .en).write(toFile: base + ".en.html", atomically: true, encoding: .utf8)
            try ReportHTML.render(Self.large, language: .vi).write(toFile: base + ".large.html", atomically: true, encoding: .utf8)
        }
    }

    @Test func hasTheTitleThresholdsAndTheThreeCharts() {
        let html = ReportHTML.render(Self.sample, language: .vi)
        #expect(html.contains("<h1>Báo cáo giúp đỡ xã đặc biệt khó khăn — kỳ 2019 (15/12/2018 – 14/12/2019)</h1>"))
        #expect(html.contains("Ngưỡng áp dụng: chuyến hình thức khi ở lại dưới 24 giờ"))
        #expect(html.contains("quá 90 ngày"))
        #expect(Self.occurrences(of: "<svg", in: html) == 3)
        #expect(Self.occurrences(of: "</svg>", in: html) == 3)
        // Chart 1: one bar per month, months as mm/yyyy, from 12/2018.
        let months = Self.svg(0, in: html)
        #expect(Self.occurrences(of: "class=\"bar\"", in: months) == 13)
        #expect(months.contains(">12/2018</text>") && months.contains(">01/2019</text>") && months.contains(">12/2019</text>"))
        #expect(months.contains("Số chuyến"))
        // Chart 2: most days first; flagged agencies in the warning colours, with a legend.
        let days = Self.svg(1, in: html)
        let stnmt = days.range(of: "Sở Tài nguyên và Môi trường")!.lowerBound
        let hlhpn = days.range(of: "Hội Liên hiệp Phụ nữ tỉnh")!.lowerBound
        #expect(stnmt < hlhpn)
        #expect(days.contains(">51</text>"))
        #expect(Self.occurrences(of: "class=\"b2\"", in: days) == 1 + 2)
        #expect(Self.occurrences(of: "class=\"b0\"", in: days) == 1 + 1)
        #expect(days.contains("Không có cảnh báo"))
        // Chart 3: ten short headers in the brief's order, counts in the cells, empty cells blank.
        let heat = Self.svg(2, in: html)
        let positions = ActivityCategory.allCases.map { category in
            heat.range(of: "<title>\(category.title(.vi))</title>\(ReportHTML.shortTitle(category, .vi)[0])")?.lowerBound
        }
        #expect(positions.allSatisfy { $0 != nil })
        #expect(positions.compactMap { $0 } == positions.compactMap { $0 }.sorted())
        #expect(heat.contains("Rà soát<tspan x=\"") && heat.contains("\">KT-XH</tspan>"))
        #expect(heat.contains(">12</text>") && heat.contains(">9</text>"))
        // A square-root scale up to 12: 1 → shade 2, 2 and 4 → 3, 9 and 12 → 5; the legend shows
        // the non-empty shades with their counts.
        #expect(Self.occurrences(of: "<rect class=\"h", in: heat) == 2 + 4 + 1 + 4)
        #expect(Self.occurrences(of: "<rect class=\"h5\"", in: heat) == 2 + 1)
        #expect(Self.occurrences(of: "<rect class=\"h3\"", in: heat) == 3 + 1)
        #expect(heat.contains(">1</text>") && heat.contains(">2–4</text>") && heat.contains(">5–7</text>") && heat.contains(">8–12</text>"))
    }

    @Test func formatsTheVietnameseWay() {
        let html = ReportHTML.render(Self.sample, language: .vi)
        #expect(html.contains("1.234.567 đ"))
        #expect(html.contains("<div class=\"v sm\">46.234.567<span class=\"u\"> đ</span></div>"))
        #expect(html.contains("<td>02/12/2019</td>"))
        #expect(html.contains("<td>2,5</td>"))
        #expect(html.contains("<td>1.180,3</td>"))
        #expect(html.contains("<td>62,5 %</td>"))
        #expect(html.contains("<td>2 / 2</td>"))
        #expect(html.contains("<th>Ngày ở cơ sở</th>"))

        let en = ReportHTML.render(Self.sample, language: .en)
        #expect(en.contains("1,234,567 VND"))
        #expect(en.contains("<div class=\"v sm\">46,234,567<span class=\"u\"> VND</span></div>"))
        #expect(en.contains("<td>2.5</td>"))
        #expect(en.contains("<td>1,180.3</td>"))
        #expect(en.contains("<td>02/12/2019</td>"))
        #expect(en.contains("<th>Days on site</th>"))
        #expect(!en.contains("Ngày ở cơ sở"))
    }

    @Test func escapesEveryNameAndCode() {
        for language in Language.allCases {
            let html = ReportHTML.render(Self.sample, language: language)
            #expect(!html.contains("<script>"))
            #expect(!html.contains("<b>bold"))
            #expect(!html.contains("X<1>"))
            let escaped = "Ban &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Co"
            // Table, chart 2 and chart 3.
            #expect(Self.occurrences(of: escaped, in: html) == 3)
            #expect(html.contains("X&lt;1&gt;"))
            #expect(html.contains("Huyện &lt;b&gt;bold&lt;/b&gt;"))
        }
        #expect(ReportHTML.escape("<a href='x'>&\"\u{7}") == "&lt;a href=&#39;x&#39;&gt;&amp;&quot; ")
    }

    @Test func namesEveryAgencyAndCommune() {
        let html = ReportHTML.render(Self.sample, language: .vi)
        for agency in Self.sample.agencies {
            #expect(html.contains("<b>\(ReportHTML.escape(agency.name))</b>"), "\(agency.name)")
            #expect(html.contains("<span class=\"code\">\(ReportHTML.escape(agency.code))</span>"))
            for commune in agency.communes {
                #expect(html.contains(ReportHTML.escape(commune.name) + " <span class=\"code\">"), "\(commune.name)")
            }
        }
        // NFC text stays NFC: "Mường Nhé" is written as given.
        #expect(html.contains("Mường Nhé"))
    }

    @Test func showsFlagsAsBadgesAndHighlightsCommunesNotVisited() {
        let html = ReportHTML.render(Self.sample, language: .vi)
        #expect(Self.occurrences(of: "<span class=\"badge f2\">Im lặng</span>", in: html) == 2)
        #expect(Self.occurrences(of: "<span class=\"badge f1\">Chủ yếu tặng quà</span>", in: html) == 1)
        #expect(Self.occurrences(of: "<tr class=\"cm nv\"><td>Chà Nưa", in: html) == 1)
        #expect(Self.occurrences(of: "<span class=\"badge f3\">Chưa đến</span>", in: html) == 1)
        // Summary cards: 2 silent, 1 mostly gifts, 0 mostly token, 1 assignment not visited.
        #expect(html.contains("<div class=\"card warn silent\"><div class=\"v\">2</div><div class=\"k\">Cơ quan im lặng</div>"))
        #expect(html.contains("<div class=\"card warn\"><div class=\"v\">1</div><div class=\"k\">Cơ quan chủ yếu tặng quà</div>"))
        #expect(html.contains("<div class=\"card\"><div class=\"v\">0</div><div class=\"k\">Cơ quan chủ yếu hình thức</div>"))
        #expect(html.contains("<div class=\"card warn\"><div class=\"v\">1</div><div class=\"k\">Phân công chưa đến</div>"))

        let en = ReportHTML.render(Self.sample, language: .en)
        #expect(Self.occurrences(of: ">Silent</span>", in: en) == 2)
        #expect(en.contains(">Mostly gifts</span>"))
        #expect(en.contains(">Not visited</span>"))
    }

    @Test func staysCompactForTheWholeProvince() {
        let html = ReportHTML.render(Self.large, language: .vi)
        #expect(html.utf8.count < 400_000, "\(html.utf8.count) bytes")
        #expect(Self.occurrences(of: "<tbody>", in: html) == 82)
        // Long names are shortened in the charts, whole in the table and in the tooltips.
        #expect(html.contains("…</text>"))
        #expect(html.contains("<title>Cơ quan thử nghiệm số 81 — Ban Chỉ đạo giảm nghèo bền vững và xây dựng nông thôn mới</title>"))
        #expect(html.contains("<b>Cơ quan thử nghiệm số 81 — Ban Chỉ đạo giảm nghèo bền vững và xây dựng nông thôn mới</b>"))
    }

    @Test func fitsLongNamesInTheChartLabels() {
        let long = "Ban Quản lý dự án các công trình nông nghiệp và phát triển nông thôn tỉnh"
        let fitted = ReportHTML.fitted(long, width: 426, fontSize: 11.5)
        #expect(fitted.hasSuffix("…") && fitted.count < long.count && fitted.count > 40)
        #expect(ReportHTML.fitted("Sở Tài nguyên và Môi trường", width: 426, fontSize: 11.5) == "Sở Tài nguyên và Môi trường")
        // Tones do not change the estimate; capitals are wider than small letters.
        #expect(ReportHTML.estimatedWidth("Mường Nhé") == ReportHTML.estimatedWidth("Muong Nhe"))
        #expect(ReportHTML.estimatedWidth("ĐIỆN BIÊN") > ReportHTML.estimatedWidth("điện biên"))
    }

    @Test func heatmapHeadersFitTheirColumns() {
        // 83 px columns; bold text is about 10 % wider than the regular widths estimated.
        for language in Language.allCases {
            for category in ActivityCategory.allCases {
                for line in ReportHTML.shortTitle(category, language) {
                    #expect(ReportHTML.estimatedWidth(line) * ReportHTML.headerFontSize * 1.1 <= 80, "\(line)")
                }
            }
        }
    }

    @Test func rendersAnEmptyReport() {
        let period = ReportPeriod(label: "2019-H1", from: Self.day("15/12/2018"), to: Self.day("14/06/2019"))
        let report = ComplianceReport(period: period, policy: .default, province: Self.province([], months: []), agencies: [])
        let html = ReportHTML.render(report, language: .vi)
        #expect(Self.occurrences(of: "<svg", in: html) == 3)
        #expect(html.contains("Không có dữ liệu"))
        #expect(html.contains("kỳ 2019-H1 (15/12/2018 – 14/06/2019)"))
        #expect(html.hasSuffix("</html>\n"))
    }
}
