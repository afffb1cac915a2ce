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
        let digits = String(amount.magnitude)
        var grouped = ""
        for (index, character) in digits.enumerated() {
            if index > 0 && (digits.count - index) % 3 == 0 { grouped.append(language == .vi ? "." : ",") }
            grouped.append(character)
        }
        let sign = amount < 0 ? "-" : ""
        return language == .vi ? "\(sign)\(grouped) đ" : "\(sign)\(grouped) VND"
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

    /// Parses "dd/mm/yyyy HH:mm", "dd/mm/yyyy" (00:00) or ISO 8601 ("2017-08-17T08:30:00+07:00").
    /// Times without an offset are local (UTC+7).
    public static func parseDateTime(_ text: String) -> Date? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed.contains("T") || trimmed.contains("-") {
            let iso = ISO8601DateFormatter()
            iso.formatOptions = [.withInternetDateTime]
            if let date = iso.date(from: trimmed) { return date }
            iso.timeZone = timeZone
            iso.formatOptions = [.withFullDate, .withTime, .withColonSeparatorInTime, .withDashSeparatorInDate]
            return iso.date(from: trimmed)
        }
        let parts = trimmed.split(separator: " ", omittingEmptySubsequences: true)
        guard parts.count == 1 || parts.count == 2, let day = CivilDate(parsing: String(parts[0])) else { return nil }
        var hour = 0, minute = 0
        if parts.count == 2 {
            let hm = parts[1].split(separator: ":")
            guard hm.count == 2, let h = Int(hm[0]), let m = Int(hm[1]), (0..<24).contains(h), (0..<60).contains(m)
            else { return nil }
            hour = h; minute = m
        }
        return calendar.date(from: DateComponents(year: day.year, month: day.month, day: day.day, hour: hour, minute: minute))
    }
}
