public import Foundation

/// A moment as a person types it: `12/03/2019 08:00` (also `8:30`, `8h30`, `8h`, `08g30`),
/// `2019-03-12 08:00`, ISO 8601 with or without an offset (`2019-03-12T08:00`,
/// `2019-03-12T08:00:00+07:00`, `…Z`). Without an offset the time is local (UTC+7). A visit's
/// start and end need a time: a day alone would silently mean midnight.
public enum DateTimeInput {
    public enum Failure: Error, Sendable, Hashable {
        case invalid
        /// A day without a time where a time is required.
        case missingTime
    }

    /// Shown with every refused value.
    public static let example = "12/03/2019 08:00"

    public static func parse(_ raw: String, requireTime: Bool = true) -> Result<Date, Failure> {
        let text = raw.trimmingWhitespace
        let iso = text.count >= 10 && text.prefix(4).allSatisfy(\.isASCIIDigit) && text.dropFirst(4).first == "-"
        // The day, then the time (after "T" in ISO 8601, else after spaces).
        let separatorIndex = iso ? text.firstIndex(where: { $0 == "T" || $0 == "t" || $0 == " " }) : text.firstIndex(of: " ")
        let dayText = separatorIndex.map { String(text[..<$0]) } ?? text
        let timeText = separatorIndex.map { String(text[text.index(after: $0)...]).trimmingWhitespace } ?? ""
        guard let day = iso ? isoDay(dayText) : CivilDate(parsing: dayText) else { return .failure(.invalid) }
        if timeText.isEmpty { return requireTime ? .failure(.missingTime) : .success(day.startOfDay) }
        guard let (hour, minute, second, offset) = time(timeText, allowOffset: iso) else { return .failure(.invalid) }
        var components = DateComponents(year: day.year, month: day.month, day: day.day, hour: hour, minute: minute, second: second)
        components.timeZone = offset.flatMap { TimeZone(secondsFromGMT: $0) } ?? VietnameseFormat.timeZone
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = components.timeZone!
        guard let date = calendar.date(from: components) else { return .failure(.invalid) }
        return .success(date)
    }

    /// The issue for `field` (`start`, `end`), with the value as typed and the expected form.
    public static func issue(_ failure: Failure, field: String, value: String) -> FieldIssue {
        FieldIssue(field: field, reason: value.isEmpty ? .required : .invalidFormat, value: value.isEmpty ? nil : String(value.prefix(40)), example: example)
    }

    /// yyyy-mm-dd.
    static func isoDay(_ text: String) -> CivilDate? {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
              let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2])
        else { return nil }
        return CivilDate(year: year, month: month, day: day)
    }

    /// `HH:mm[:ss[.fff]]`, `8h30`, `8h`, `08g30`; with `allowOffset`, then `Z` or `±hh:mm` /
    /// `±hhmm` (an offset in seconds, nil when none).
    static func time(_ text: String, allowOffset: Bool) -> (Int, Int, Int, Int?)? {
        var clock = Substring(text)
        var offset: Int?
        if allowOffset {
            if clock.hasSuffix("Z") || clock.hasSuffix("z") {
                offset = 0
                clock = clock.dropLast()
            } else if let sign = clock.lastIndex(where: { $0 == "+" || $0 == "-" }) {
                let zone = clock[clock.index(after: sign)...].filter { $0 != ":" }
                guard zone.count == 4, zone.allSatisfy(\.isASCIIDigit), let hours = Int(zone.prefix(2)), let minutes = Int(zone.suffix(2)),
                      hours <= 14, minutes < 60
                else { return nil }
                offset = (clock[sign] == "-" ? -1 : 1) * (hours * 3600 + minutes * 60)
                clock = clock[..<sign]
            }
        }
        let parts: [Substring]
        if clock.contains(":") {
            parts = clock.split(separator: ":", omittingEmptySubsequences: false)
        } else if let mark = clock.firstIndex(where: { $0 == "h" || $0 == "H" || $0 == "g" || $0 == "G" }) {
            let after = clock[clock.index(after: mark)...]
            parts = [clock[..<mark], after.isEmpty ? "00" : after]
        } else {
            return nil
        }
        guard (2...3).contains(parts.count), (1...2).contains(parts[0].count), parts[1].count == 2,
              parts[0].allSatisfy(\.isASCIIDigit), parts[1].allSatisfy(\.isASCIIDigit),
              let hour = Int(parts[0]), let minute = Int(parts[1]), hour < 24, minute < 60
        else { return nil }
        var second = 0
        if parts.count == 3 {
            // Seconds, with any fraction dropped.
            let whole = parts[2].prefix { $0 != "." && $0 != "," }
            guard whole.count == 2, whole.allSatisfy(\.isASCIIDigit), let value = Int(whole), value < 60 else { return nil }
            second = value
        }
        return (hour, minute, second, offset)
    }
}
