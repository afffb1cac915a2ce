/// A provincial agency (sở, ban, ngành, đoàn thể) that can be assigned communes to help.
/// The short codes (STNMT, BDT, …) are GiupXa's own, as in the domain data.
public struct Agency: Sendable, Hashable, Codable {
    public var code: String
    public var name: String
    public var kind: String

    public init(code: String, name: String, kind: String) {
        self.code = code.uppercased()
        self.name = VietnameseText.normalize(name)
        self.kind = kind
    }

    public var searchKey: String { VietnameseText.searchKey(name) }

    /// Longest name, in Unicode scalars of the NFC text (`TextRules`).
    public static let maxNameLength = 200

    /// The issue with this agency's (normalised) name, if any: required, then the one-line
    /// text rules. Operators register agencies by hand or from CSV; both check here.
    public func nameIssue(field: String) -> FieldIssue? {
        if name.isEmpty { return FieldIssue(field: field, reason: .required) }
        return TextRules.issue(field: field, text: name, kind: .singleLine, limit: Self.maxNameLength, isNormalized: true)
    }

    /// The kinds of agency the province has (the embedded data's): sở, ban, chi cục, đoàn thể,
    /// đơn vị, lực lượng vũ trang, văn phòng.
    public static let kinds = ["so", "ban", "chi_cuc", "doan_the", "don_vi", "luc_luong_vu_trang", "van_phong"]

    /// The issue with this agency's kind, if it is none of `kinds`.
    public func kindIssue(field: String) -> FieldIssue? {
        Self.kinds.contains(kind) ? nil
            : FieldIssue(field: field, reason: .invalidFormat, value: String(kind.prefix(40)), candidates: NearestNames.closest(to: kind, among: Self.kinds))
    }

    /// 2–16 characters of A–Z, 0–9 and underscore.
    public static func isValidCode(_ code: String) -> Bool {
        (2...16).contains(code.utf8.count)
            && code.utf8.allSatisfy { ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x5F }
    }
}
