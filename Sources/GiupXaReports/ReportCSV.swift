public import Foundation
public import GiupXaModels

/// The report as a spreadsheet: one row per agency × commune with the agency's figures
/// alongside, UTF-8 with a BOM so Excel shows the diacritics, every field quoted. Numbers are
/// plain (no thousands separators) so Excel reads them as numbers; dates dd/mm/yyyy.
public enum ReportCSV {
    public static func render(_ report: ComplianceReport, language l: Language) -> Data {
        let headers = l == .vi
            ? ["Mã cơ quan", "Cơ quan", "Mã xã", "Xã", "Huyện", "Trong phân công", "Số chuyến", "Ngày ở cơ sở", "Giờ ở cơ sở",
               "Số cán bộ", "Tỷ lệ có kế hoạch (%)", "Lĩnh vực", "Hỗ trợ vật chất (đồng)", "Chuyến hình thức", "Lần cuối", "Ghi chú",
               "Cơ quan: số chuyến", "Cơ quan: chỉ tặng quà", "Cơ quan: số ngày im lặng", "Cơ quan: ghi chú"]
            : ["Agency code", "Agency", "Commune code", "Commune", "District", "In scope", "Visits", "Days on site", "Hours on site",
               "Cadres", "Written plan (%)", "Areas", "Material support (VND)", "Token visits", "Last visit", "Flags",
               "Agency: visits", "Agency: gifts only", "Agency: days silent", "Agency: flags"]
        var lines = [headers]
        let decimal = { (x: Double) in String(format: "%.1f", x).replacingOccurrences(of: ".", with: l == .vi ? "," : ".") }
        for a in report.agencies {
            for c in a.communes {
                lines.append([
                    a.code, a.name, c.code, c.name, c.district, c.inScope ? l.pick(vi: "có", en: "yes") : l.pick(vi: "không", en: "no"),
                    "\(c.visits)", "\(c.daysOnSite)", decimal(c.hoursOnSite), "\(c.cadres)", c.planShare.map { decimal($0 * 100) } ?? "",
                    c.categories.map { $0.title(l) }.joined(separator: "; "), "\(c.supportVnd)", "\(c.tokenVisits)",
                    c.lastVisit?.description ?? "", c.flags.map { $0.title(l) }.joined(separator: "; "),
                    "\(a.visits)", "\(a.giftOnlyVisits)", "\(a.daysSilent)", a.flags.map { $0.title(l) }.joined(separator: "; "),
                ])
            }
        }
        let text = lines.map { row in row.map { "\"" + neutralized($0).replacingOccurrences(of: "\"", with: "\"\"") + "\"" }.joined(separator: ",") }
            .joined(separator: "\r\n") + "\r\n"
        return Data([0xEF, 0xBB, 0xBF]) + Data(text.utf8)
    }

    /// A cell that a spreadsheet would read as a formula (`=HYPERLINK(…)` as an agency's name)
    /// starts with an apostrophe instead, which Excel and LibreOffice show as text (OWASP's
    /// CSV-injection advice). The report's own numbers never start with these characters.
    static func neutralized(_ cell: String) -> String {
        guard let first = cell.unicodeScalars.first, "=+-@\t\r".unicodeScalars.contains(first) else { return cell }
        return "'" + cell
    }
}
