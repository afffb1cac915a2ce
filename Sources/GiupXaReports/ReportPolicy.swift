public import Foundation
public import GiupXaModels

/// The thresholds operators may edit (Protocol/REPORT.md, "Policy file"). Missing keys take the
/// defaults; unknown keys and out-of-range values are refused with the key's name, so a typo
/// cannot silently change what counts as a token visit.
public struct ReportPolicy: Sendable, Hashable, Codable {
    public struct TokenVisitRule: Sendable, Hashable, Codable {
        /// A visit shorter than this many hours on site is a token visit.
        public var minHoursOnSite: Double = 24
        /// A visit without a written plan is a token visit.
        public var requireWrittenPlan = true
        /// A visit that only brings gifts is a token visit.
        public var giftOnly = true

        public init(minHoursOnSite: Double = 24, requireWrittenPlan: Bool = true, giftOnly: Bool = true) {
            self.minHoursOnSite = minHoursOnSite
            self.requireWrittenPlan = requireWrittenPlan
            self.giftOnly = giftOnly
        }
    }

    /// "dd/mm": the reporting year starts on this day of the previous year (Decree 09/2019: 15/12).
    public var yearStarts = "15/12"
    /// "dd/mm": the second half-year starts on this day (Decree 09/2019: 15/06).
    public var halfYearStarts = "15/06"
    public var tokenVisit = TokenVisitRule()
    public var mostlyGiftsShare = 0.5
    public var mostlyTokenShare = 0.5
    public var minVisitsForShare = 3
    public var silentDays = 90

    public init() {}

    public static let `default` = ReportPolicy()

    /// Reads a policy file; every problem is reported with the key it concerns.
    public static func parse(_ data: Data) throws(ValidationError) -> ReportPolicy {
        guard let object = try? JSONSerialization.jsonObject(with: data), let root = object as? [String: Any] else {
            throw ValidationError([FieldIssue(field: "policy", reason: .invalidFormat, value: "JSON object")])
        }
        var policy = ReportPolicy()
        var issues: [FieldIssue] = []
        let known: Set<String> = [
            "year_starts", "half_year_starts", "token_visit", "mostly_gifts_share", "mostly_token_share",
            "min_visits_for_share", "silent_days",
        ]
        for key in root.keys.sorted() where !known.contains(key) {
            issues.append(FieldIssue(field: key, reason: .invalidFormat, value: "unknown key"))
        }
        func dayMonth(_ key: String, _ target: inout String) {
            guard let value = root[key] else { return }
            guard let text = value as? String, Self.dayMonth(text) != nil else {
                issues.append(FieldIssue(field: key, reason: .invalidFormat, value: "\"dd/mm\""))
                return
            }
            target = text
        }
        func number(_ object: [String: Any], _ key: String, _ path: String, _ range: ClosedRange<Double>) -> Double? {
            guard let value = object[key] else { return nil }
            guard let n = value as? NSNumber, !(value is Bool), range.contains(n.doubleValue) else {
                issues.append(FieldIssue(field: path, reason: .invalidFormat, value: "a number in \(range.lowerBound)…\(range.upperBound)"))
                return nil
            }
            return n.doubleValue
        }
        func flag(_ object: [String: Any], _ key: String, _ path: String) -> Bool? {
            guard let value = object[key] else { return nil }
            guard let b = value as? Bool else {
                issues.append(FieldIssue(field: path, reason: .invalidFormat, value: "true or false"))
                return nil
            }
            return b
        }
        dayMonth("year_starts", &policy.yearStarts)
        dayMonth("half_year_starts", &policy.halfYearStarts)
        if let value = root["token_visit"] {
            if let rule = value as? [String: Any] {
                for key in rule.keys.sorted() where !["min_hours_on_site", "require_written_plan", "gift_only"].contains(key) {
                    issues.append(FieldIssue(field: "token_visit.\(key)", reason: .invalidFormat, value: "unknown key"))
                }
                if let v = number(rule, "min_hours_on_site", "token_visit.min_hours_on_site", 0...1440) { policy.tokenVisit.minHoursOnSite = v }
                if let v = flag(rule, "require_written_plan", "token_visit.require_written_plan") { policy.tokenVisit.requireWrittenPlan = v }
                if let v = flag(rule, "gift_only", "token_visit.gift_only") { policy.tokenVisit.giftOnly = v }
            } else {
                issues.append(FieldIssue(field: "token_visit", reason: .invalidFormat, value: "JSON object"))
            }
        }
        if let v = number(root, "mostly_gifts_share", "mostly_gifts_share", 0...1) { policy.mostlyGiftsShare = v }
        if let v = number(root, "mostly_token_share", "mostly_token_share", 0...1) { policy.mostlyTokenShare = v }
        if let v = number(root, "min_visits_for_share", "min_visits_for_share", 1...10_000) { policy.minVisitsForShare = Int(v) }
        if let v = number(root, "silent_days", "silent_days", 1...3660) { policy.silentDays = Int(v) }
        if !issues.isEmpty { throw ValidationError(issues) }
        return policy
    }

    /// "15/12" → (15, 12), checked against a leap year so 29/02 is allowed.
    static func dayMonth(_ text: String) -> (day: Int, month: Int)? {
        let parts = text.split(separator: "/").map { Int($0) }
        guard parts.count == 2, let day = parts[0], let month = parts[1], CivilDate(year: 2000, month: month, day: day) != nil else { return nil }
        return (day, month)
    }

    /// The policy as an operator edits it: pretty, sorted, snake_case.
    public func json() -> Data {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return (try? encoder.encode(self)) ?? Data()
    }
}
