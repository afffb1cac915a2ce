/// A decision of the provincial People's Committee assigning agencies to communes for a
/// period, such as 708/QĐ-UBND of 17/08/2017. A later decision replaces an earlier one.
public struct Decision: Sendable, Hashable, Codable {
    /// "708/QĐ-UBND" (NFC).
    public var number: String
    public var signedOn: CivilDate
    public var period: DateRange
    /// The agency that receives the periodic reports (often Ban Dân tộc tỉnh).
    public var standingAgencyCode: String
    /// Data shipped for demonstration, not an official record.
    public var isSample: Bool

    /// Longest decision number, in Unicode scalars ("708/QĐ-UBND" is 11; 64 leaves room
    /// for long issuer suffixes).
    public static let maxNumberLength = 64

    /// The issue with a decision number as an operator typed it, if any: required, then the
    /// one-line text rules on its normalised form.
    public static func numberIssue(_ number: String, field: String) -> FieldIssue? {
        let number = VietnameseText.normalize(number)
        if number.isEmpty { return FieldIssue(field: field, reason: .required) }
        return TextRules.issue(field: field, text: number, kind: .singleLine, limit: maxNumberLength, isNormalized: true)
    }

    public init(number: String, signedOn: CivilDate, period: DateRange, standingAgencyCode: String, isSample: Bool = false) {
        self.number = VietnameseText.normalize(number)
        self.signedOn = signedOn
        self.period = period
        self.standingAgencyCode = standingAgencyCode.uppercased()
        self.isSample = isSample
    }
}

extension Decision {
    /// The decision in force on `day`: among those whose period contains it, the latest to
    /// start (a later decision supersedes an earlier one from its start), ties going to the
    /// later signed, then to the greater number. Storage admits visits by this rule and reports
    /// scope assignments by it; nothing else decides it.
    public static func inForce(on day: CivilDate, among decisions: some Sequence<Decision>) -> Decision? {
        decisions.filter { $0.period.contains(day) }.max { $0.yields(to: $1) }
    }

    /// True when `other` takes precedence over this decision on a day both cover.
    public func yields(to other: Decision) -> Bool {
        (period.start, signedOn, number) < (other.period.start, other.signedOn, other.number)
    }
}

/// One agency ↔ commune pair of a decision.
public struct Assignment: Sendable, Hashable, Codable {
    public enum Role: String, Sendable, Hashable, Codable, CaseIterable {
        /// The agency in charge of the commune.
        case lead
        /// An agency that helps alongside the lead.
        case supporting
    }

    public var decisionNumber: String
    public var agencyCode: String
    public var communeCode: String
    public var role: Role

    public init(decisionNumber: String, agencyCode: String, communeCode: String, role: Role) {
        self.decisionNumber = VietnameseText.normalize(decisionNumber)
        self.agencyCode = agencyCode.uppercased()
        self.communeCode = communeCode
        self.role = role
    }
}

/// An assignment joined with what a reader needs to show it: the commune and the period.
public struct AssignmentDetail: Sendable, Hashable, Codable {
    public var assignment: Assignment
    public var commune: Commune
    public var period: DateRange

    public init(assignment: Assignment, commune: Commune, period: DateRange) {
        self.assignment = assignment
        self.commune = commune
        self.period = period
    }
}
