public import GiupXaModels

/// The report for a terminal: the province summary, then one line per agency and, under it,
/// one per assigned commune. Columns are padded by character count, which lines up
/// Vietnamese text in a monospaced terminal (NFC, one column per character).
public enum ReportText {
    public static func render(_ report: ComplianceReport, language l: Language) -> String {
        let p = report.province
        var lines: [String] = []
        lines.append(l.pick(vi: "BÁO CÁO GIÚP ĐỠ XÃ ĐẶC BIỆT KHÓ KHĂN — ", en: "HELPING ESPECIALLY DIFFICULT COMMUNES — ") + report.period.title(l).uppercased())
        lines.append("")
        lines.append(l.pick(vi: "Toàn tỉnh", en: "Province"))
        let n = { ReportNumbers.count($0, l) }
        lines.append("  " + l.pick(
            vi: "\(n(p.agencies)) cơ quan, \(n(p.assignments)) lượt phân công: \(n(p.assignmentsVisited)) đã đến, \(n(p.assignmentsNotVisited)) chưa đến",
            en: "\(n(p.agencies)) agencies, \(n(p.assignments)) assignments: \(n(p.assignmentsVisited)) visited, \(n(p.assignmentsNotVisited)) not visited"))
        lines.append("  " + l.pick(
            vi: "\(n(p.visits)) chuyến, \(n(p.daysOnSite)) ngày và \(ReportNumbers.decimal(p.hoursOnSite, l)) giờ ở cơ sở; có kế hoạch: \(ReportNumbers.percent(p.planShare, l))",
            en: "\(n(p.visits)) visits, \(n(p.daysOnSite)) days and \(ReportNumbers.decimal(p.hoursOnSite, l)) hours on site; with a written plan: \(ReportNumbers.percent(p.planShare, l))"))
        let tokenShare = p.visits == 0 ? nil : Double(p.tokenVisits) / Double(p.visits)
        lines.append("  " + l.pick(
            vi: "Chuyến hình thức: \(n(p.tokenVisits)) (\(ReportNumbers.percent(tokenShare, l))); chỉ tặng quà: \(n(p.giftOnlyVisits)); hỗ trợ vật chất: \(VietnameseFormat.vnd(p.supportVnd, language: l))",
            en: "Token visits: \(n(p.tokenVisits)) (\(ReportNumbers.percent(tokenShare, l))); gifts only: \(n(p.giftOnlyVisits)); material support: \(VietnameseFormat.vnd(p.supportVnd, language: l))"))
        lines.append("  " + l.pick(
            vi: "Cơ quan bị đánh dấu: im lặng \(n(p.agenciesSilent)), chủ yếu tặng quà \(n(p.agenciesMostlyGifts)), chủ yếu hình thức \(n(p.agenciesMostlyToken))",
            en: "Agencies flagged: silent \(n(p.agenciesSilent)), mostly gifts \(n(p.agenciesMostlyGifts)), mostly token \(n(p.agenciesMostlyToken))"))
        lines.append("")

        let headers = l == .vi
            ? ["Cơ quan / xã", "Xã", "Chuyến", "Ngày", "Giờ", "Cán bộ", "Kế hoạch", "Lĩnh vực", "Hỗ trợ", "Hình thức", "Lần cuối", "Ghi chú"]
            : ["Agency / commune", "Communes", "Visits", "Days", "Hours", "Cadres", "Plan", "Areas", "Support", "Token", "Last", "Flags"]
        var table: [[String]] = [headers]
        for a in report.agencies {
            table.append([
                "\(a.name) (\(a.code))", "\(a.communesVisited)/\(a.communesAssigned)", n(a.visits), n(a.daysOnSite),
                ReportNumbers.decimal(a.hoursOnSite, l), n(a.cadres), ReportNumbers.percent(a.planShare, l), "\(a.categories.count)/10",
                VietnameseFormat.vnd(a.supportVnd, language: l), n(a.tokenVisits), ReportNumbers.date(a.lastVisit),
                a.flags.map { $0.title(l) }.joined(separator: ", "),
            ])
            for c in a.communes {
                table.append([
                    "  └ \(c.name)", "", n(c.visits), n(c.daysOnSite), ReportNumbers.decimal(c.hoursOnSite, l), n(c.cadres),
                    ReportNumbers.percent(c.planShare, l), "\(c.categories.count)/10", VietnameseFormat.vnd(c.supportVnd, language: l),
                    n(c.tokenVisits), ReportNumbers.date(c.lastVisit),
                    (c.flags.map { $0.title(l) } + (c.inScope ? [] : [l.pick(vi: "ngoài phân công", en: "not in scope")])).joined(separator: ", "),
                ])
            }
        }
        let widths = headers.indices.map { column in table.map { $0[column].count }.max() ?? 0 }
        for (index, row) in table.enumerated() {
            let cells = row.enumerated().map { column, cell in
                // Names left, figures right.
                column == 0 || column == row.count - 1
                    ? cell + String(repeating: " ", count: widths[column] - cell.count)
                    : String(repeating: " ", count: widths[column] - cell.count) + cell
            }
            lines.append(cells.joined(separator: "  ").trimmingTrailingSpaces())
            if index == 0 { lines.append(String(repeating: "─", count: widths.reduce(0, +) + 2 * (widths.count - 1))) }
        }
        lines.append("")
        lines.append(l.pick(
            vi: "Chuyến hình thức: ở cơ sở dưới \(ReportNumbers.decimal(report.policy.tokenVisit.minHoursOnSite, digits: 0, l)) giờ, không có kế hoạch, hoặc chỉ tặng quà. Im lặng: không đến quá \(report.policy.silentDays) ngày.",
            en: "Token visit: under \(ReportNumbers.decimal(report.policy.tokenVisit.minHoursOnSite, digits: 0, l)) hours on site, no written plan, or gifts only. Silent: no visit for more than \(report.policy.silentDays) days."))
        return lines.joined(separator: "\n")
    }
}

extension String {
    func trimmingTrailingSpaces() -> String {
        var s = self
        while s.last == " " { s.removeLast() }
        return s
    }
}
