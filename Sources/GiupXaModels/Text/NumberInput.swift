/// Numbers as a person types them, in the Vietnamese way first: "." groups thousands and ","
/// marks decimals (`1.000`, `15.000.000 đ`, `2,5`), spaces may group thousands, and plain
/// digits are plain. What could mean two things (`1,000`: a thousand, or one with three decimals)
/// is refused with both readings, never guessed. Every command and file field that takes a
/// number typed by a person reads it here.
public enum NumberInput {
    public enum Failure: Error, Sendable, Hashable {
        /// Not a number in any form we read.
        case invalid
        /// Two readings: as thousands (plain digits) and as a decimal (with a comma).
        case ambiguous(thousands: String, decimal: String)
        case negative
        /// An amount of đồng with a fractional part.
        case notWhole
        /// More than an Int64 of đồng.
        case tooLarge

        /// The issue for `field`, showing the value as read and an example of what is accepted.
        public func issue(field: String, value: String, example: String) -> FieldIssue {
            let shown = String(value.prefix(40))
            switch self {
            case .invalid, .notWhole:
                return FieldIssue(field: field, reason: .invalidFormat, value: shown, example: example)
            case .ambiguous(let thousands, let decimal):
                return FieldIssue(field: field, reason: .invalidFormat, value: shown, example: example, readings: [thousands, decimal])
            case .negative:
                return FieldIssue(field: field, reason: .negative, value: shown)
            case .tooLarge:
                return FieldIssue(field: field, reason: .tooLarge, value: shown)
            }
        }
    }

    /// Examples shown when a value is refused.
    public static let quantityExample = "20; 1.000; 2,5"
    public static let amountExample = "4.000.000; 15 000 000 đ"

    /// A quantity: `20`, `1.000` (a thousand), `2,5`, `2.5`, `1.000,5`, `1 000`.
    public static func quantity(_ text: String) -> Result<Double, Failure> {
        read(text).flatMap { whole, fraction in
            guard let value = Double(fraction.isEmpty ? whole : "\(whole).\(fraction)") else { return .failure(.invalid) }
            return .success(value)
        }
    }

    /// A whole amount of đồng: `4000000`, `4.000.000`, `4 000 000`, `4.000.000 đ`, `4.000.000 VND`.
    public static func amount(_ text: String) -> Result<Int64, Failure> {
        var text = Substring(text.trimmingWhitespace)
        let lowered = text.lowercased()
        for suffix in ["vnđ", "vnd", "đồng", "dong", "đ", "₫"] where lowered.hasSuffix(suffix) {
            text = text.dropLast(suffix.count)
            break
        }
        return read(String(text)).flatMap { whole, fraction in
            guard fraction.allSatisfy({ $0 == "0" }) else { return .failure(.notWhole) }
            guard let value = Int64(whole) else { return .failure(.tooLarge) }
            return .success(value)
        }
    }

    /// The digits before and after the decimal separator, or why there are none.
    static func read(_ raw: String) -> Result<(whole: String, fraction: String), Failure> {
        let text = raw.trimmingWhitespace
        if text.hasPrefix("-") || text.hasPrefix("−") { return .failure(.negative) }
        // Spaces of any width group thousands (NBSP, narrow NBSP, thin space, as word processors write).
        let chars = text.map { $0 == "\u{00A0}" || $0 == "\u{202F}" || $0 == "\u{2009}" ? " " : $0 }
        guard let first = chars.first, let last = chars.last, first.isASCIIDigit, last.isASCIIDigit,
              chars.allSatisfy({ $0.isASCIIDigit || $0 == "." || $0 == "," || $0 == " " })
        else { return .failure(.invalid) }
        let dots = chars.filter { $0 == "." }.count, commas = chars.filter { $0 == "," }.count
        let spaced = chars.contains(" ")
        func split(_ separator: Character) -> (String, String) {
            let index = chars.lastIndex(of: separator)!
            return (String(chars[..<index]), String(chars[(index + 1)...]))
        }
        switch (dots, commas) {
        case (0, 0):
            return grouped(String(chars), by: " ").map { ($0, "") }.map(Result.success) ?? .failure(.invalid)
        case (_, 0) where dots > 1 && !spaced, (0, _) where commas > 1 && !spaced:
            let separator: Character = dots > 1 ? "." : ","
            return grouped(String(chars), by: separator).map { ($0, "") }.map(Result.success) ?? .failure(.invalid)
        case (1, 0), (0, 1):
            let separator: Character = dots == 1 ? "." : ","
            let (before, after) = split(separator)
            let thousands = after.count == 3 && (1...3).contains(before.count) && before.allSatisfy(\.isASCIIDigit)
            if thousands && separator == "." { return .success((before + after, "")) }
            if thousands {
                return .failure(.ambiguous(thousands: before + after, decimal: "\(before),\(after)"))
            }
            guard after.allSatisfy(\.isASCIIDigit), let whole = grouped(before, by: " ") else { return .failure(.invalid) }
            return .success((whole, after))
        default:
            // Both: the last one marks the decimals, the other groups thousands before it.
            guard !spaced, dots >= 1, commas >= 1 else { return .failure(.invalid) }
            let decimal: Character = chars.lastIndex(of: ".")! > chars.lastIndex(of: ",")! ? "." : ","
            let grouping: Character = decimal == "." ? "," : "."
            guard chars.filter({ $0 == decimal }).count == 1 else { return .failure(.invalid) }
            let (before, after) = split(decimal)
            guard after.allSatisfy(\.isASCIIDigit), let whole = grouped(before, by: grouping) else { return .failure(.invalid) }
            return .success((whole, after))
        }
    }

    /// The digits of `text` if it is plain digits, or groups of three after a first of one to
    /// three, separated by `separator`; nil otherwise.
    static func grouped(_ text: String, by separator: Character) -> String? {
        let groups = text.split(separator: separator, omittingEmptySubsequences: false)
        guard let head = groups.first, !head.isEmpty, head.allSatisfy(\.isASCIIDigit) else { return nil }
        if groups.count == 1 { return String(head) }
        guard head.count <= 3, groups.dropFirst().allSatisfy({ $0.count == 3 && $0.allSatisfy(\.isASCIIDigit) }) else { return nil }
        return groups.joined()
    }
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}

extension String {
    /// Without leading and trailing whitespace (Unicode White_Space), over scalars.
    var trimmingWhitespace: String { VietnameseText.trimmingWhitespace(self) }
}
