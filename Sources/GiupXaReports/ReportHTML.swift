import Foundation
public import GiupXaModels

/// The compliance report as one self-contained HTML5 page an operator opens in a browser and
/// prints: inline CSS, inline SVG charts, no script, no external resource, system fonts only.
/// Vietnamese by default; dates dd/mm/yyyy, amounts "1.234.567 đ", numbers "1.234" and "2,5".
/// Every piece of text is escaped (agency, commune and district names come from user data), and
/// the output is deterministic: the same report gives the same bytes.
public enum ReportHTML {
    public static func render(_ report: ComplianceReport, language: Language = .vi) -> String {
        var page = Page(report: report, language: language)
        page.document()
        return page.out
    }

    // MARK: Shared helpers (numbers, dates and flag names come from ReportNumbers)

    /// Escapes text for HTML element content and quoted attribute values (also inside SVG).
    public static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default:
                // Control characters other than tab and newline are not allowed in HTML text.
                if scalar.value < 0x20 && scalar != "\t" && scalar != "\n" || (0x7F...0x9F).contains(scalar.value) {
                    out += " "
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out
    }

    /// A short column header for the coverage heatmap, on one or two lines (the full title goes
    /// in a tooltip and in the note under the chart).
    static func shortTitle(_ category: ActivityCategory, _ language: Language) -> [String] {
        switch category {
        case .socioEconomicReview: language == .vi ? ["Rà soát", "KT-XH"] : ["Socio-econ.", "review"]
        case .developmentPlanning: language == .vi ? ["Quy hoạch", "phát triển"] : ["Develop.", "planning"]
        case .productionModels: language == .vi ? ["Mô hình", "sản xuất"] : ["Production", "models"]
        case .trainingTechnology: language == .vi ? ["Tập huấn,", "chuyển giao"] : ["Training,", "technology"]
        case .povertyReduction: language == .vi ? ["Giảm nghèo"] : ["Poverty", "reduction"]
        case .educationHealthSocial: language == .vi ? ["Giáo dục,", "y tế, an sinh"] : ["Education,", "health"]
        case .politicalSystem: language == .vi ? ["Hệ thống", "chính trị"] : ["Political", "system"]
        case .securityOrder: language == .vi ? ["An ninh,", "trật tự"] : ["Security,", "order"]
        case .infrastructure: language == .vi ? ["Hạ tầng"] : ["Infra-", "structure"]
        case .materialSupport: language == .vi ? ["Hỗ trợ", "vật chất"] : ["Material", "support"]
        }
    }

    /// Font size of the heatmap's column headers (matches `.head` in the CSS).
    static let headerFontSize = 11.0

    /// The short title on one line: "Rà soát KT-XH".
    static func shortTitleLine(_ category: ActivityCategory, _ language: Language) -> String {
        shortTitle(category, language).joined(separator: " ").replacingOccurrences(of: "- ", with: "")
    }

    /// Estimated width of `text` in em, with the widths of DejaVu Sans, one of the widest system
    /// sans-serif fonts, so that a name fitted with it also fits with Arial, Segoe UI or Roboto.
    static func estimatedWidth(_ text: String) -> Double {
        var em = 0.0
        for character in text {
            guard let scalar = character.unicodeScalars.first else { continue }
            var base = scalar
            if scalar.value > 0x7F, let name = scalar.properties.name,
               let range = name.range(of: "LATIN SMALL LETTER ") ?? name.range(of: "LATIN CAPITAL LETTER "),
               let letter = name[range.upperBound...].unicodeScalars.first {
                // "LATIN SMALL LETTER U WITH HORN AND TILDE" → u: tones do not change the width.
                base = name.hasPrefix("LATIN SMALL") ? Unicode.Scalar(letter.value + 0x20)! : letter
            }
            em += glyphWidths[base] ?? (base.properties.isUppercase ? 0.72 : base.value >= 0x2000 ? 1.0 : 0.62)
        }
        return em
    }

    private static let glyphWidths: [Unicode.Scalar: Double] = {
        var widths: [Unicode.Scalar: Double] = [" ": 0.32, "-": 0.36, ".": 0.32, ",": 0.32, "(": 0.39, ")": 0.39, "/": 0.34, "&": 0.78]
        let lower: [Double] = [0.61, 0.64, 0.55, 0.64, 0.62, 0.35, 0.64, 0.63, 0.28, 0.28, 0.58, 0.28, 0.97, 0.63, 0.61, 0.64, 0.64, 0.41, 0.52, 0.39, 0.63, 0.59, 0.82, 0.59, 0.59, 0.53]
        let upper: [Double] = [0.68, 0.69, 0.70, 0.77, 0.63, 0.58, 0.78, 0.75, 0.30, 0.30, 0.66, 0.56, 0.86, 0.75, 0.79, 0.60, 0.79, 0.70, 0.64, 0.61, 0.73, 0.68, 0.99, 0.69, 0.61, 0.69]
        for (index, width) in lower.enumerated() { widths[Unicode.Scalar(UInt8(97 + index))] = width }
        for (index, width) in upper.enumerated() { widths[Unicode.Scalar(UInt8(65 + index))] = width }
        for digit in 48...57 { widths[Unicode.Scalar(UInt8(digit))] = 0.64 }
        return widths
    }()

    /// `text`, shortened with "…" if needed to fit `width` pixels at `fontSize`.
    static func fitted(_ text: String, width: Double, fontSize: Double) -> String {
        let limit = width / fontSize
        guard estimatedWidth(text) > limit else { return text }
        var characters = Array(text)
        while !characters.isEmpty && estimatedWidth(String(characters)) + 1.0 > limit { characters.removeLast() }
        while characters.last == " " || characters.last == "," || characters.last == "-" { characters.removeLast() }
        return String(characters) + "…"
    }

    /// "Im lặng", "Chủ yếu tặng quà", … — the flag names of the other formats, as badges.
    static func badge(_ title: String) -> String {
        title.prefix(1).uppercased() + title.dropFirst()
    }
}

// MARK: - The page

private struct Page {
    let report: ComplianceReport
    let language: Language
    var out = ""

    /// Width of every chart's coordinate system; the SVG scales to the page width.
    let chartWidth = 1280
    /// Room for agency names left of the bars and heatmap cells; longer names are shortened
    /// with "…" (the full name is in a tooltip and in the table).
    let labelWidth = 440
    /// Font size of agency names in the charts (matches `.name` in the CSS).
    let nameFontSize = 11.5
    /// One column per activity category right of the names.
    var heatmapColumnWidth: Double { (Double(chartWidth) - Double(labelWidth) - 10) / Double(ActivityCategory.allCases.count) }

    init(report: ComplianceReport, language: Language) {
        self.report = report
        self.language = language
        out.reserveCapacity(64_000 + report.agencies.count * 4_000)
    }

    private func t(_ vi: String, _ en: String) -> String { ReportHTML.escape(language.pick(vi: vi, en: en)) }
    private func e(_ text: String) -> String { ReportHTML.escape(text) }
    private func n(_ value: Int) -> String { ReportNumbers.count(value, language) }
    private func hours(_ value: Double) -> String { ReportNumbers.decimal(value.isFinite ? value : 0, digits: 1, language) }
    private func pct(_ share: Double?) -> String { ReportNumbers.percent(share.flatMap { $0.isFinite ? $0 : nil }, language) }
    private func money(_ amount: Int64) -> String { e(VietnameseFormat.vnd(amount, language: language)) }
    private func date(_ day: CivilDate?) -> String { ReportNumbers.date(day) }

    /// A threshold without a useless ",0": "24", "1,5"; "50 %", "62,5 %".
    private func threshold(_ value: Double, percent: Bool = false) -> String {
        var text = ReportNumbers.decimal(percent ? value * 100 : value, digits: 1, language)
        if text.hasSuffix(",0") || text.hasSuffix(".0") { text.removeLast(2) }
        return percent ? text + language.pick(vi: " %", en: "%") : text
    }

    /// SVG coordinates: at most one decimal, dot separator, no trailing ".0".
    private func c(_ value: Double) -> String {
        let tenths = Int((value * 10).rounded())
        let sign = tenths < 0 ? "-" : ""
        let magnitude = tenths.magnitude
        return magnitude % 10 == 0 ? "\(sign)\(magnitude / 10)" : "\(sign)\(magnitude / 10).\(magnitude % 10)"
    }

    private func shortName(_ name: String) -> String {
        ReportHTML.fitted(name, width: Double(labelWidth) - 14, fontSize: nameFontSize)
    }

    /// "2019-01" → "01/2019".
    private func monthLabel(_ month: String) -> String {
        let parts = month.split(separator: "-")
        return parts.count == 2 ? "\(parts[1])/\(parts[0])" : month
    }

    /// A round axis: a step of 1, 2 or 5 × 10^k giving at most `maxTicks` intervals, and the top.
    private func axis(_ maximum: Double, maxTicks: Int = 6) -> (step: Double, top: Double) {
        guard maximum > 0 else { return (1, 1) }
        var magnitude = 1.0
        while magnitude * 10 <= maximum { magnitude *= 10 }
        while magnitude > maximum { magnitude /= 10 }
        for multiplier in [0.1, 0.2, 0.5, 1, 2, 5, 10] {
            let step = max(1, magnitude * multiplier)
            let top = (maximum / step).rounded(.up) * step
            if top / step <= Double(maxTicks) { return (step, top) }
        }
        return (magnitude * 10, (maximum / (magnitude * 10)).rounded(.up) * magnitude * 10)
    }

    // MARK: Document

    mutating func document() {
        let period = report.period
        let title = language.pick(vi: "Báo cáo giúp đỡ xã đặc biệt khó khăn — ", en: "Helping especially difficult communes — ") + period.title(language)

        out += "<!DOCTYPE html>\n<html lang=\"\(language.rawValue)\">\n<head>\n<meta charset=\"utf-8\">\n"
        out += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        out += "<title>\(e(title))</title>\n<style>\n\(Self.css)</style>\n</head>\n<body>\n<main>\n"
        out += "<header>\n<h1>\(e(title))</h1>\n<p class=\"policy\">\(policyLine())</p>\n</header>\n"
        summary()
        monthChart()
        daysChart()
        heatmap()
        agencyTable()
        out += "</main>\n</body>\n</html>\n"
    }

    private func policyLine() -> String {
        let policy = report.policy
        var token: [String] = []
        if policy.tokenVisit.minHoursOnSite > 0 {
            let h = threshold(policy.tokenVisit.minHoursOnSite)
            token.append(language.pick(vi: "ở lại dưới \(h) giờ", en: "under \(h) hours on site"))
        }
        if policy.tokenVisit.requireWrittenPlan { token.append(language.pick(vi: "không có kế hoạch bằng văn bản", en: "no written plan")) }
        if policy.tokenVisit.giftOnly { token.append(language.pick(vi: "chỉ tặng quà", en: "gifts only")) }
        let tokenText = token.isEmpty
            ? language.pick(vi: "không xét chuyến hình thức", en: "no token-visit rule")
            : language.pick(vi: "chuyến hình thức khi ", en: "token visit when ") + token.joined(separator: language.pick(vi: ", hoặc ", en: ", or "))
        let gifts = threshold(policy.mostlyGiftsShare, percent: true), tokenShare = threshold(policy.mostlyTokenShare, percent: true)
        let text = language.pick(
            vi: "Ngưỡng áp dụng: \(tokenText); “chủ yếu tặng quà” khi trên \(gifts) số chuyến chỉ tặng quà, “chủ yếu hình thức” khi trên \(tokenShare) số chuyến là hình thức (xét khi có từ \(n(policy.minVisitsForShare)) chuyến); “im lặng” khi quá \(n(policy.silentDays)) ngày không có chuyến nào. Kỳ báo cáo năm bắt đầu ngày \(policy.yearStarts), nửa cuối năm từ \(policy.halfYearStarts).",
            en: "Thresholds: \(tokenText); “mostly gifts” when over \(gifts) of visits are gifts only, “mostly token visits” when over \(tokenShare) of visits are token visits (from \(n(policy.minVisitsForShare)) visits); “silent” after more than \(n(policy.silentDays)) days without a visit. The reporting year starts on \(policy.yearStarts), the second half-year on \(policy.halfYearStarts).")
        return e(text)
    }

    // MARK: Province summary

    private mutating func summary() {
        let p = report.province
        out += "<section>\n<h2>\(t("Toàn tỉnh", "Province"))</h2>\n<div class=\"cards\">\n"
        card(n(p.agencies), t("Cơ quan được giao", "Agencies"))
        card(n(p.assignments), t("Lượt phân công (cơ quan – xã)", "Assignments (agency – commune)"))
        card(n(p.assignmentsVisited), t("Phân công đã đến", "Assignments visited"),
             sub: pct(p.assignments == 0 ? nil : Double(p.assignmentsVisited) / Double(p.assignments)))
        card(n(p.assignmentsNotVisited), t("Phân công chưa đến", "Assignments not visited"), warn: p.assignmentsNotVisited > 0)
        card(n(p.visits), t("Chuyến công tác", "Visits"),
             sub: p.planShare.map { e(pct($0)) + " " + t("có kế hoạch", "with a written plan") })
        card(n(p.daysOnSite), t("Ngày ở cơ sở", "Days on site"), sub: hours(p.hoursOnSite) + " " + t("giờ", "hours"))
        let tokenShare = p.visits == 0 ? nil : Double(p.tokenVisits) / Double(p.visits)
        let giftShare = p.visits == 0 ? nil : Double(p.giftOnlyVisits) / Double(p.visits)
        card(n(p.tokenVisits), t("Chuyến hình thức", "Token visits"),
             sub: tokenShare.map { pct($0) + " " + t("số chuyến", "of visits") },
             warn: (tokenShare ?? 0) > report.policy.mostlyTokenShare)
        card(n(p.giftOnlyVisits), t("Chuyến chỉ tặng quà", "Gift-only visits"),
             sub: giftShare.map { pct($0) + " " + t("số chuyến", "of visits") },
             warn: (giftShare ?? 0) > report.policy.mostlyGiftsShare)
        // The amount with its unit smaller, so that billions of đồng fit the card.
        let amount = VietnameseFormat.vnd(p.supportVnd, language: language)
        let unit = amount.lastIndex(of: " ").map { amount[$0...] } ?? ""
        card(e(String(amount.dropLast(unit.count))) + "<span class=\"u\">\(e(String(unit)))</span>", t("Tổng hỗ trợ vật chất", "Material support"), small: true)
        card(n(p.agenciesSilent), t("Cơ quan im lặng", "Agencies silent"), warn: p.agenciesSilent > 0, flag: "silent")
        card(n(p.agenciesMostlyGifts), t("Cơ quan chủ yếu tặng quà", "Agencies mostly gifts"), warn: p.agenciesMostlyGifts > 0, flag: "other")
        card(n(p.agenciesMostlyToken), t("Cơ quan chủ yếu hình thức", "Agencies mostly token visits"), warn: p.agenciesMostlyToken > 0, flag: "other")
        out += "</div>\n</section>\n"
    }

    /// `value`, `label` and `sub` are already escaped.
    private mutating func card(_ value: String, _ label: String, sub: String? = nil, warn: Bool = false, small: Bool = false, flag: String? = nil) {
        var classes = "card"
        if warn { classes += flag == "silent" ? " warn silent" : " warn" }
        out += "<div class=\"\(classes)\"><div class=\"v\(small ? " sm" : "")\">\(value)</div><div class=\"k\">\(label)</div>"
        if let sub { out += "<div class=\"s\">\(sub)</div>" }
        out += "</div>\n"
    }

    // MARK: Chart 1 — visits per month

    private mutating func monthChart() {
        let months = report.province.visitsPerMonth
        let (left, right, top, bottom) = (70.0, 16.0, 20.0, 58.0)
        let height = 320.0
        let plotWidth = Double(chartWidth) - left - right, plotHeight = height - top - bottom
        let title = language.pick(vi: "Số chuyến công tác theo tháng", en: "Visits per month")
        out += "<section class=\"chart\">\n<h2>\(t("Biểu đồ 1. ", "Chart 1. "))\(e(title))</h2>\n"
        out += svgOpen(height: height, label: title)
        guard !months.isEmpty else {
            out += noData(y: height / 2)
            out += "</svg>\n</section>\n"
            return
        }
        let (step, axisTop) = axis(Double(months.map(\.visits).max() ?? 0))
        var tick = 0.0
        while tick <= axisTop + 0.001 {
            let y = top + plotHeight - tick / axisTop * plotHeight
            out += "<line class=\"grid\" x1=\"\(c(left))\" y1=\"\(c(y))\" x2=\"\(c(left + plotWidth))\" y2=\"\(c(y))\"/>"
            out += "<text class=\"tick\" x=\"\(c(left - 8))\" y=\"\(c(y + 4))\" text-anchor=\"end\">\(n(Int(tick)))</text>\n"
            tick += step
        }
        let slot = plotWidth / Double(months.count)
        let barWidth = max(1, slot * 0.7)
        let labelEvery = max(1, Int((58 / slot).rounded(.up)))
        for (index, month) in months.enumerated() {
            let x = left + Double(index) * slot + (slot - barWidth) / 2
            let h = Double(month.visits) / axisTop * plotHeight
            let y = top + plotHeight - h
            out += "<rect class=\"bar\" x=\"\(c(x))\" y=\"\(c(y))\" width=\"\(c(barWidth))\" height=\"\(c(h))\"><title>\(e(monthLabel(month.month))): \(n(month.visits))</title></rect>"
            if slot >= 24 && month.visits > 0 {
                out += "<text class=\"val\" x=\"\(c(x + barWidth / 2))\" y=\"\(c(y - 4))\" text-anchor=\"middle\">\(n(month.visits))</text>"
            }
            if index % labelEvery == 0 {
                out += "<text class=\"tick\" x=\"\(c(x + barWidth / 2))\" y=\"\(c(top + plotHeight + 18))\" text-anchor=\"middle\">\(e(monthLabel(month.month)))</text>"
            }
            out += "\n"
        }
        out += "<line class=\"axis\" x1=\"\(c(left))\" y1=\"\(c(top + plotHeight))\" x2=\"\(c(left + plotWidth))\" y2=\"\(c(top + plotHeight))\"/>"
        out += "<line class=\"axis\" x1=\"\(c(left))\" y1=\"\(c(top))\" x2=\"\(c(left))\" y2=\"\(c(top + plotHeight))\"/>\n"
        out += "<text class=\"atitle\" x=\"\(c(left + plotWidth / 2))\" y=\"\(c(height - 12))\" text-anchor=\"middle\">\(t("Tháng (theo ngày bắt đầu chuyến)", "Month (by the visit's start date)"))</text>\n"
        let mid = top + plotHeight / 2
        out += "<text class=\"atitle\" x=\"18\" y=\"\(c(mid))\" text-anchor=\"middle\" transform=\"rotate(-90 18 \(c(mid)))\">\(t("Số chuyến", "Visits"))</text>\n"
        out += "</svg>\n</section>\n"
    }

    // MARK: Chart 2 — days on site per agency

    private mutating func daysChart() {
        let title = language.pick(vi: "Số ngày ở cơ sở của từng cơ quan", en: "Days on site per agency")
        let agencies = report.agencies.enumerated()
            .sorted { $0.element.daysOnSite != $1.element.daysOnSite ? $0.element.daysOnSite > $1.element.daysOnSite : $0.offset < $1.offset }
            .map(\.element)
        let rowHeight = 19.0, top = 62.0, bottom = 40.0
        let left = Double(labelWidth), plotWidth = Double(chartWidth) - left - 60
        let height = top + Double(max(agencies.count, 1)) * rowHeight + bottom
        out += "<section class=\"chart\">\n<h2>\(t("Biểu đồ 2. ", "Chart 2. "))\(e(title))</h2>\n"
        out += svgOpen(height: height, label: title)
        // Legend.
        var x = left
        for (cls, label) in [
            ("b0", language.pick(vi: "Không có cảnh báo", en: "No flag")),
            ("b2", ReportHTML.badge(AgencyFlag.silent.title(language))),
            ("b1", language.pick(vi: "Chủ yếu tặng quà hoặc hình thức", en: "Mostly gifts or token visits")),
        ] {
            out += "<rect class=\"\(cls)\" x=\"\(c(x))\" y=\"8\" width=\"14\" height=\"14\"/><text class=\"tick\" x=\"\(c(x + 20))\" y=\"19\">\(e(label))</text>"
            x += 40 + Double(label.count) * 7
        }
        out += "\n"
        guard !agencies.isEmpty else {
            out += noData(y: top + rowHeight)
            out += "</svg>\n</section>\n"
            return
        }
        let (step, axisTop) = axis(Double(agencies.map(\.daysOnSite).max() ?? 0), maxTicks: 10)
        let plotBottom = top + Double(agencies.count) * rowHeight
        var tick = 0.0
        while tick <= axisTop + 0.001 {
            let tx = left + tick / axisTop * plotWidth
            out += "<line class=\"grid\" x1=\"\(c(tx))\" y1=\"\(c(top - 4))\" x2=\"\(c(tx))\" y2=\"\(c(plotBottom))\"/>"
            out += "<text class=\"tick\" x=\"\(c(tx))\" y=\"\(c(top - 10))\" text-anchor=\"middle\">\(n(Int(tick)))</text>\n"
            tick += step
        }
        for (index, agency) in agencies.enumerated() {
            let y = top + Double(index) * rowHeight
            let cls = agency.flags.contains(.silent) ? "b2" : agency.flags.isEmpty ? "b0" : "b1"
            let w = agency.daysOnSite == 0 ? 0 : max(1, Double(agency.daysOnSite) / axisTop * plotWidth)
            out += nameLabel(agency.name, x: left - 8, y: y + rowHeight / 2 + 4)
            out += "<rect class=\"\(cls)\" x=\"\(c(left))\" y=\"\(c(y + 3))\" width=\"\(c(w))\" height=\"\(c(rowHeight - 6))\"/>"
            out += "<text class=\"val\" x=\"\(c(left + w + 5))\" y=\"\(c(y + rowHeight / 2 + 4))\">\(n(agency.daysOnSite))</text>\n"
        }
        out += "<line class=\"axis\" x1=\"\(c(left))\" y1=\"\(c(top - 4))\" x2=\"\(c(left))\" y2=\"\(c(plotBottom))\"/>\n"
        out += "<text class=\"atitle\" x=\"\(c(left + plotWidth / 2))\" y=\"\(c(plotBottom + 26))\" text-anchor=\"middle\">\(t("Số ngày ở cơ sở trong kỳ", "Days on site in the period"))</text>\n"
        out += "</svg>\n</section>\n"
    }

    // MARK: Chart 3 — coverage heatmap

    private mutating func heatmap() {
        let title = language.pick(vi: "Các lĩnh vực đã giúp đỡ, theo cơ quan", en: "Activity categories covered, per agency")
        let categories = ActivityCategory.allCases
        let rowHeight = 20.0, top = 48.0
        let left = Double(labelWidth)
        let columnWidth = heatmapColumnWidth
        let height = top + Double(max(report.agencies.count, 1)) * rowHeight + 44
        let maximum = report.agencies.flatMap { $0.categoryVisits.values }.max() ?? 0
        out += "<section class=\"chart\">\n<h2>\(t("Biểu đồ 3. ", "Chart 3. "))\(e(title))</h2>\n"
        out += "<p class=\"note\">\(t("Mỗi ô: số chuyến của cơ quan có ghi nhận lĩnh vực đó; ô trống: chưa có.", "Each cell: the agency's visits that recorded the category; blank: none."))</p>\n"
        out += svgOpen(height: height, label: title)
        for (index, category) in categories.enumerated() {
            let x = left + (Double(index) + 0.5) * columnWidth
            let lines = ReportHTML.shortTitle(category, language)
            out += "<text class=\"head\" x=\"\(c(x))\" y=\"\(c(top - 10 - 13 * Double(lines.count - 1)))\" text-anchor=\"middle\"><title>\(e(category.title(language)))</title>"
            for (number, line) in lines.enumerated() {
                out += number == 0 ? e(line) : "<tspan x=\"\(c(x))\" dy=\"13\">\(e(line))</tspan>"
            }
            out += "</text>\n"
        }
        guard !report.agencies.isEmpty else {
            out += noData(y: top + rowHeight)
            out += "</svg>\n</section>\n"
            return
        }
        for (row, agency) in report.agencies.enumerated() {
            let y = top + Double(row) * rowHeight
            if row % 2 == 1 {
                out += "<rect class=\"stripe\" x=\"0\" y=\"\(c(y))\" width=\"\(chartWidth)\" height=\"\(c(rowHeight))\"/>"
            }
            out += nameLabel(agency.name, x: left - 8, y: y + rowHeight / 2 + 4)
            for (index, category) in categories.enumerated() {
                guard let count = agency.categoryVisits[category.rawValue], count > 0 else { continue }
                let level = shade(count, maximum: maximum)
                let x = left + Double(index) * columnWidth
                out += "<rect class=\"h\(level)\" x=\"\(c(x + 1))\" y=\"\(c(y + 1))\" width=\"\(c(columnWidth - 2))\" height=\"\(c(rowHeight - 2))\"/>"
                out += "<text class=\"\(level >= 4 ? "cl" : "cd")\" x=\"\(c(x + columnWidth / 2))\" y=\"\(c(y + rowHeight / 2 + 4))\" text-anchor=\"middle\">\(n(count))</text>"
            }
            out += "\n"
        }
        if maximum > 0 {
            // Shade legend.
            // Shade legend: each shade with the counts it stands for.
            let legendY = top + Double(report.agencies.count) * rowHeight + 16
            out += "<text class=\"tick\" x=\"\(c(left - 8))\" y=\"\(c(legendY + 12))\" text-anchor=\"end\">\(t("Số chuyến:", "Visits:"))</text>"
            var x = left
            var low = 1
            for level in 1...5 {
                let high = level == 5 ? maximum : level * level * maximum / 25
                guard high >= low else { continue }
                let label = high == low ? n(low) : "\(n(low))–\(n(high))"
                out += "<rect class=\"h\(level)\" x=\"\(c(x))\" y=\"\(c(legendY))\" width=\"28\" height=\"16\"/>"
                out += "<text class=\"tick\" x=\"\(c(x + 33))\" y=\"\(c(legendY + 12))\">\(label)</text>"
                x += 33 + Double(label.count) * 7.5 + 14
                low = high + 1
            }
            out += "\n"
        }
        out += "</svg>\n"
        let legend = categories.map { "<b>\(e(ReportHTML.shortTitleLine($0, language)))</b>: \(e($0.title(language)))" }
        out += "<p class=\"note\">\(legend.joined(separator: " · "))</p>\n</section>\n"
    }

    /// The shade (1…5) of a heatmap cell: the smallest k with count ≤ k²/25 × maximum, a square-root
    /// scale so that a few very active agencies do not wash out everyone else's cells.
    private func shade(_ count: Int, maximum: Int) -> Int {
        (1...5).first { 25 * count <= $0 * $0 * maximum } ?? 5
    }

    // MARK: The agency table

    private mutating func agencyTable() {
        out += "<section>\n<h2>\(t("Chi tiết theo cơ quan và xã", "Per agency and commune"))</h2>\n"
        out += "<p class=\"note\">\(t("Dòng in đậm: cơ quan; các dòng dưới: từng xã được giao. Xã chưa đến trong kỳ được tô đỏ.", "Bold rows: agencies; below each, its communes. Communes not visited in the period are shaded red."))</p>\n"
        out += "<table class=\"t\">\n<thead><tr>"
        let headers: [(String, String)] = [
            ("Cơ quan / xã", "Agency / commune"), ("Xã giao / đã đến", "Communes assigned / visited"), ("Chuyến", "Visits"),
            ("Ngày ở cơ sở", "Days on site"), ("Giờ ở cơ sở", "Hours on site"), ("Cán bộ", "Cadres"), ("Có kế hoạch", "Written plan"),
            ("Lĩnh vực", "Categories"), ("Hỗ trợ vật chất", "Material support"), ("Chuyến hình thức", "Token visits"),
            ("Lần đến cuối", "Last visit"), ("Số ngày chưa đến", "Days silent"), ("Cảnh báo", "Flags"),
        ]
        for (vi, en) in headers { out += "<th>\(t(vi, en))</th>" }
        out += "</tr></thead>\n"
        if report.agencies.isEmpty {
            out += "<tbody><tr><td colspan=\"\(headers.count)\">\(t("Không có dữ liệu.", "No data."))</td></tr></tbody>\n"
        }
        let allCategories = ActivityCategory.allCases.count
        for agency in report.agencies {
            out += "<tbody>\n<tr class=\"ag\"><td><b>\(e(agency.name))</b> <span class=\"code\">\(e(agency.code))</span></td>"
            out += "<td>\(n(agency.communesAssigned)) / \(n(agency.communesVisited))</td><td>\(n(agency.visits))</td>"
            out += "<td>\(n(agency.daysOnSite))</td><td>\(hours(agency.hoursOnSite))</td><td>\(n(agency.cadres))</td>"
            out += "<td>\(pct(agency.planShare))</td>\(categoriesCell(agency.categories, of: allCategories))"
            out += "<td>\(money(agency.supportVnd))</td><td>\(n(agency.tokenVisits))</td><td>\(date(agency.lastVisit))</td>"
            out += agency.flags.contains(.silent) ? "<td class=\"bad\">\(n(agency.daysSilent))</td><td>" : "<td>\(n(agency.daysSilent))</td><td>"
            for flag in agency.flags {
                out += "<span class=\"badge \(flag == .silent ? "f2" : "f1")\">\(e(ReportHTML.badge(flag.title(language))))</span>"
            }
            out += "</td></tr>\n"
            for commune in agency.communes {
                let notVisited = commune.flags.contains(.notVisited)
                out += "<tr class=\"cm\(notVisited ? " nv" : "")\"><td>\(e(commune.name)) <span class=\"code\">\(e(commune.district))</span>"
                if !commune.inScope { out += " <span class=\"code\">(\(t("ngoài phân công", "not assigned in this period")))</span>" }
                out += "</td><td></td><td>\(n(commune.visits))</td><td>\(n(commune.daysOnSite))</td><td>\(hours(commune.hoursOnSite))</td>"
                out += "<td>\(n(commune.cadres))</td><td>\(pct(commune.planShare))</td>\(categoriesCell(commune.categories, of: allCategories))"
                out += "<td>\(money(commune.supportVnd))</td><td>\(n(commune.tokenVisits))</td><td>\(date(commune.lastVisit))</td><td></td><td>"
                for flag in commune.flags { out += "<span class=\"badge f3\">\(e(ReportHTML.badge(flag.title(language))))</span>" }
                out += "</td></tr>\n"
            }
            out += "</tbody>\n"
        }
        out += "</table>\n</section>\n"
    }

    private func categoriesCell(_ categories: [ActivityCategory], of total: Int) -> String {
        guard !categories.isEmpty else { return "<td>0/\(total)</td>" }
        let names = categories.map { ReportHTML.shortTitleLine($0, language) }.joined(separator: ", ")
        return "<td title=\"\(e(names))\">\(n(categories.count))/\(total)</td>"
    }

    // MARK: SVG pieces

    private func svgOpen(height: Double, label: String) -> String {
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(chartWidth) \(c(height))\" width=\"\(chartWidth)\" height=\"\(c(height))\" role=\"img\" aria-label=\"\(e(label))\">\n"
    }

    private func nameLabel(_ name: String, x: Double, y: Double) -> String {
        let short = shortName(name)
        let tooltip = short == name ? "" : "<title>\(e(name))</title>"
        return "<text class=\"name\" x=\"\(c(x))\" y=\"\(c(y))\" text-anchor=\"end\">\(tooltip)\(e(short))</text>"
    }

    private func noData(y: Double) -> String {
        "<text class=\"tick\" x=\"\(chartWidth / 2)\" y=\"\(c(y))\" text-anchor=\"middle\">\(t("Không có dữ liệu trong kỳ.", "No data in the period."))</text>\n"
    }

    static let css = """
        :root{--ink:#1f2933;--muted:#5f6b76;--line:#d5dbe1;--bar:#3b6ea5;--warn:#d9822b;--bad:#c0392b}
        *{box-sizing:border-box}
        html{-webkit-print-color-adjust:exact;print-color-adjust:exact}
        body{margin:0;background:#fff;color:var(--ink);font:14px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans","Liberation Sans","DejaVu Sans",Arial,sans-serif}
        main{max-width:1320px;margin:0 auto;padding:20px 24px}
        h1{font-size:22px;margin:0 0 6px}
        h2{font-size:17px;margin:26px 0 8px;border-bottom:2px solid var(--line);padding-bottom:4px}
        .policy,.note{color:var(--muted);font-size:12.5px;margin:4px 0 8px}
        .cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(180px,1fr));gap:10px}
        .card{border:1px solid var(--line);border-left:5px solid var(--bar);border-radius:6px;padding:8px 12px;background:#f8fafc;break-inside:avoid}
        .card.warn{border-left-color:var(--warn);background:#fff7ee}
        .card.warn.silent{border-left-color:var(--bad);background:#fdf0ef}
        .card .v{font-size:24px;font-weight:700;white-space:nowrap}
        .card .v.sm{font-size:17px;line-height:1.3;white-space:normal;padding-top:5px}
        .card .v .u{font-size:13px;font-weight:600}
        .card .k{font-size:13px;color:var(--muted)}
        .card .s{font-size:12px;color:var(--ink)}
        .chart{break-inside:avoid}
        svg{display:block;width:100%;height:auto;max-width:1280px;font-family:inherit}
        svg text{fill:var(--ink)}
        .tick{font-size:12px;fill:var(--muted)}
        .val{font-size:11px}
        .name{font-size:11.5px}
        .head{font-size:11px;font-weight:700}
        .atitle{font-size:12.5px;font-weight:600}
        .grid{stroke:#e6eaee;stroke-width:1}
        .axis{stroke:#8a96a3;stroke-width:1}
        .bar,.b0{fill:var(--bar)}
        .b1{fill:var(--warn)}
        .b2{fill:var(--bad)}
        .stripe{fill:#f4f6f8}
        .h1{fill:#deebf7}.h2{fill:#b3d3ea}.h3{fill:#7fb2d8}.h4{fill:#3f86bf}.h5{fill:#1d5a93}
        svg .cd{font-size:11.5px;fill:#14324f}
        svg .cl{font-size:11.5px;fill:#fff}
        table.t{width:100%;border-collapse:collapse;font-size:12.5px}
        .t th{position:sticky;top:0;background:#eef2f6;text-align:right;font-weight:600;padding:5px 6px;border-bottom:2px solid var(--line);vertical-align:bottom}
        .t th:first-child,.t th:last-child{text-align:left}
        .t td{padding:3px 6px;border-bottom:1px solid #edf0f3;text-align:right;white-space:nowrap}
        .t td:first-child{text-align:left;white-space:normal}
        .t td:last-child{text-align:left;white-space:normal}
        .t thead{display:table-header-group}
        .t tbody{break-inside:avoid}
        .t tr.ag td{background:#f8fafc;border-top:1px solid var(--line)}
        .t tr.cm td:first-child{padding-left:24px}
        .t tr.nv td{background:#fdecea}
        .t td.bad{color:var(--bad);font-weight:700}
        .code{color:var(--muted);font-size:11.5px}
        .badge{display:inline-block;border-radius:9px;padding:0 7px;margin:1px 2px 1px 0;font-size:11px;font-weight:600;color:#fff;white-space:nowrap}
        .f1{background:var(--warn)}.f2{background:var(--bad)}.f3{background:#a94442}
        @page{size:A4 landscape;margin:10mm}
        @media print{main{max-width:none;padding:0}h2{break-after:avoid}.t th{position:static}}

        """
}
