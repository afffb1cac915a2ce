public import Foundation

/// Display formats of the province: dd/mm/yyyy, "ngày 17 tháng 8 năm 2017", "193.900.000 đ",
/// local time UTC+7 (Asia/Ho_Chi_Minh has had no DST since 1975, so a fixed offset is exact).
public enum VietnameseFormat {
    public static let timeZone = TimeZone(secondsFromGMT: 7 * 3600)!

    static let calendar: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        return calendar
    }()

    /// "193.900.000 đ" (dot as thousands separator, as in Vietnamese documents).
    public static func vnd(_ amount: Int64, language: Language = .vi) -> String {
        let grouped = grouped(amount, separator: language == .vi ? "." : ",")
        return language == .vi ? "\(grouped) đ" : "\(grouped) VND"
    }

    /// "-1.234.567": digits in groups of three.
    static func grouped(_ value: Int64, separator: Character) -> String {
        let digits = String(value.magnitude)
        var grouped = value < 0 ? "-" : ""
        for (index, character) in digits.enumerated() {
            if index > 0 && (digits.count - index) % 3 == 0 { grouped.append(separator) }
            grouped.append(character)
        }
        return grouped
    }

    /// A quantity as it reads back in Vietnamese: "1.000", "2,5", "1.000,25" (up to 3 decimals).
    public static func quantity(_ value: Double) -> String {
        let thousandths = (value * 1000).rounded()
        let whole = Int64(thousandths / 1000)
        var fraction = String(Int64(abs(thousandths)) % 1000)
        fraction = String(repeating: "0", count: 3 - fraction.count) + fraction
        while fraction.hasSuffix("0") { fraction.removeLast() }
        let grouped = grouped(whole, separator: ".")
        return fraction.isEmpty ? grouped : "\(grouped),\(fraction)"
    }

    /// "17/08/2017 08:30" in UTC+7.
    public static func dateTime(_ date: Date) -> String {
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: date)
        return String(format: "%02d/%02d/%04d %02d:%02d", c.day!, c.month!, c.year!, c.hour!, c.minute!)
    }

    /// "17/08/2017" in UTC+7.
    public static func date(_ date: Date) -> String {
        CivilDate(date).description
    }

    /// A moment in any form `DateTimeInput` reads; a day alone is its midnight (UTC+7).
    public static func parseDateTime(_ text: String) -> Date? {
        try? DateTimeInput.parse(text, requireTime: false).get()
    }
}
