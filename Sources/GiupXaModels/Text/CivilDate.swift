public import Foundation

/// A calendar date in Vietnam (no time, no zone): decision dates and assignment periods.
/// Encoded on the wire and in storage as the integer yyyymmdd, which sorts correctly.
public struct CivilDate: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    public var year: Int
    public var month: Int
    public var day: Int

    public init?(year: Int, month: Int, day: Int) {
        guard (1900...9999).contains(year), (1...12).contains(month), (1...31).contains(day) else { return nil }
        let components = DateComponents(year: year, month: month, day: day)
        guard let date = VietnameseFormat.calendar.date(from: components),
              VietnameseFormat.calendar.component(.day, from: date) == day else { return nil }
        self.year = year
        self.month = month
        self.day = day
    }

    /// The local (UTC+7) date of an instant.
    public init(_ date: Date) {
        if let civil = Self.arithmetic(date) {
            self = civil
            return
        }
        let c = VietnameseFormat.calendar.dateComponents([.year, .month, .day], from: date)
        self.year = c.year!
        self.month = c.month!
        self.day = c.day!
    }

    /// The same date by arithmetic (`init(dayNumber:)`), for instants from 1900 to 9999, where
    /// Foundation's calendar is the proleptic Gregorian one at the fixed offset: the admission of
    /// every visit asks for two, and the calendar's answer cost more than the rest of the check.
    static func arithmetic(_ date: Date) -> CivilDate? {
        let local = date.timeIntervalSince1970 + Double(VietnameseFormat.timeZone.secondsFromGMT())
        // -2,208,988,800 s is 1900-01-01, 253,402,300,800 s is 10000-01-01.
        guard local >= -2_208_988_800, local < 253_402_300_800 else { return nil }
        return CivilDate(dayNumber: Int((local / 86_400).rounded(.down)))
    }

    /// From yyyymmdd, as on the wire.
    public init?(yyyymmdd: Int) {
        self.init(year: yyyymmdd / 10000, month: yyyymmdd / 100 % 100, day: yyyymmdd % 100)
    }

    /// Parses "17/08/2017" (also "17-08-2017", "17.08.2017") or ISO "2017-08-17".
    public init?(parsing text: String) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let parts = trimmed.split(whereSeparator: { $0 == "/" || $0 == "." || $0 == "-" }).map { Int($0) }
        guard parts.count == 3, let a = parts[0], let b = parts[1], let c = parts[2] else { return nil }
        if a > 31 { self.init(year: a, month: b, day: c) } else { self.init(year: c, month: b, day: a) }
    }

    public var yyyymmdd: Int { year * 10000 + month * 100 + day }

    /// Midnight at the start of this day, UTC+7.
    public var startOfDay: Date {
        VietnameseFormat.calendar.date(from: DateComponents(year: year, month: month, day: day))!
    }

    /// "17/08/2017"
    public var description: String { String(format: "%02d/%02d/%04d", day, month, year) }

    /// "ngày 17 tháng 8 năm 2017" — the official style.
    public var officialStyle: String { "ngày \(day) tháng \(month) năm \(year)" }

    public static func < (lhs: CivilDate, rhs: CivilDate) -> Bool { lhs.yyyymmdd < rhs.yyyymmdd }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let date = CivilDate(parsing: text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "not a date: \(text)")
        }
        self = date
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(String(format: "%04d-%02d-%02d", year, month, day))
    }
}

/// An inclusive range of days, such as an assignment period.
public struct DateRange: Sendable, Hashable, Codable {
    public var start: CivilDate
    public var end: CivilDate

    public init(start: CivilDate, end: CivilDate) {
        self.start = start
        self.end = end
    }

    public func contains(_ day: CivilDate) -> Bool { start <= day && day <= end }
}

extension CivilDate {
    /// Days since 01/01/1970 (proleptic Gregorian), for day arithmetic without a calendar.
    public var dayNumber: Int {
        // Howard Hinnant's days_from_civil.
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    public init(dayNumber: Int) {
        let z = dayNumber + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        self.year = yoe + era * 400 + (month <= 2 ? 1 : 0)
        self.month = month
        self.day = day
    }

    public func adding(days: Int) -> CivilDate { CivilDate(dayNumber: dayNumber + days) }

    /// Whole days from `other` to this date (positive when this one is later).
    public func days(since other: CivilDate) -> Int { dayNumber - other.dayNumber }
}
