public import GiupXaModels

/// The days a report covers, inclusive, in local dates (UTC+7).
public struct ReportPeriod: Sendable, Hashable, Codable {
    /// "2019", "2019-H1", "2019-H2", or "01/01/2019–31/03/2019" for a custom period.
    public var label: String
    public var from: CivilDate
    public var to: CivilDate

    public init(label: String, from: CivilDate, to: CivilDate) {
        self.label = label
        self.from = from
        self.to = to
    }

    /// A named period: "2019" (year), "2019-H1" or "2019-H2" (half-years), bounded as the policy says.
    public static func named(_ text: String, policy: ReportPolicy) throws(ValidationError) -> ReportPeriod {
        let parts = text.uppercased().split(separator: "-")
        guard let yearText = parts.first, let year = Int(yearText), (1901...9998).contains(year), parts.count <= 2,
              let yearStart = ReportPolicy.dayMonth(policy.yearStarts), let halfStart = ReportPolicy.dayMonth(policy.halfYearStarts)
        else {
            throw ValidationError([FieldIssue(field: "period", reason: .invalidFormat, value: "\(text) (2019, 2019-H1, 2019-H2)")])
        }
        // A year starting on 15/12 belongs to the following calendar year, as in the decree.
        let startsPreviousYear = yearStart.month > halfStart.month
        let from = date(yearStart, year: startsPreviousYear ? year - 1 : year)
        let to = date(yearStart, year: startsPreviousYear ? year : year + 1).adding(days: -1)
        let half = date(halfStart, year: year)
        switch parts.count == 2 ? String(parts[1]) : "" {
        case "": return ReportPeriod(label: "\(year)", from: from, to: to)
        case "H1": return ReportPeriod(label: "\(year)-H1", from: from, to: half.adding(days: -1))
        case "H2": return ReportPeriod(label: "\(year)-H2", from: half, to: to)
        default:
            throw ValidationError([FieldIssue(field: "period", reason: .invalidFormat, value: "\(text) (2019, 2019-H1, 2019-H2)")])
        }
    }

    public static func custom(from: CivilDate, to: CivilDate) throws(ValidationError) -> ReportPeriod {
        guard from <= to else { throw ValidationError([FieldIssue(field: "to", reason: .endBeforeStart)]) }
        guard to.days(since: from) < 3660 else { throw ValidationError([FieldIssue(field: "to", reason: .tooLarge, limit: 3660)]) }
        return ReportPeriod(label: "\(from)–\(to)", from: from, to: to)
    }

    /// Days in the period.
    public var length: Int { to.days(since: from) + 1 }

    public func contains(_ day: CivilDate) -> Bool { from <= day && day <= to }

    private static func date(_ dm: (day: Int, month: Int), year: Int) -> CivilDate {
        // 29/02 in a common year falls back to 28/02.
        CivilDate(year: year, month: dm.month, day: dm.day) ?? CivilDate(year: year, month: dm.month, day: dm.day - 1)!
    }
}
