public import Foundation

/// How a person names a visit: its full id, or the first characters of it (at least 4, as
/// listings show 8), case ignored. Shared by the device's outbox and the server's history.
public enum VisitReference {
    public enum Parsed: Sendable, Hashable {
        case full(UUID)
        /// Upper-case hex digits and hyphens, to match ids in their upper-case text form.
        case prefix(String)
    }

    public static func parse(_ text: String, field: String = "id") throws(ValidationError) -> Parsed {
        if let full = UUID(uuidString: text) { return .full(full) }
        let wanted = text.uppercased()
        guard wanted.count >= 4, wanted.allSatisfy({ $0.isHexDigit || $0 == "-" }) else {
            throw ValidationError([FieldIssue(field: field, reason: .invalidFormat, value: String(text.prefix(40)), example: "4B216F91")])
        }
        return .prefix(wanted)
    }

    /// The one visit of `matches` (the ids starting with `text`'s prefix), or why there is none.
    public static func pick(_ text: String, among matches: [UUID], field: String = "id") throws(ValidationError) -> UUID {
        switch matches.count {
        case 1: return matches[0]
        case 0: throw ValidationError([FieldIssue(field: field, reason: .notFound, value: text)])
        default:
            let shown = matches.prefix(5).map { String($0.uuidString.prefix(13)) }.joined(separator: ", ")
            throw ValidationError([FieldIssue(field: field, reason: .duplicate, value: text, detail: .init(
                vi: "nhiều chuyến công tác có mã bắt đầu bằng \(text): \(shown); hãy gõ thêm ký tự",
                en: "several visits have ids starting with \(text): \(shown); type more characters"))])
        }
    }
}
