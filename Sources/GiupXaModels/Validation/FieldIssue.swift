/// One problem with one field of user input: which field, why, and the limit involved.
/// Field paths are stable and language-neutral ("cadres[0].name"); messages are localised.
public struct FieldIssue: Error, Sendable, Hashable, Codable, CustomStringConvertible {
    /// Stable reason codes: part of the protocol (they travel in `FieldError.reason`).
    public enum Reason: String, Sendable, Hashable, Codable, CaseIterable {
        case required
        case tooLong = "too_long"
        case tooMany = "too_many"
        case invalidFormat = "invalid_format"
        case endBeforeStart = "end_before_start"
        case durationTooLong = "duration_too_long"
        case tooEarly = "too_early"
        case inFuture = "in_future"
        case unknownCategory = "unknown_category"
        case negative
        case tooLarge = "too_large"
        case controlCharacters = "control_characters"
        /// Cf (bidi controls, zero-width and tag characters, …), U+2028, U+2029.
        case invisibleCharacters = "invisible_characters"
        /// More than `TextRules.maxCombiningMarks` combining scalars in a row.
        case combiningMarks = "combining_marks"
        case unknownCommune = "unknown_commune"
        case unknownAgency = "unknown_agency"
        case duplicate
        case notFound = "not_found"
    }

    public var field: String
    public var reason: Reason
    /// The limit that was crossed (characters, items, days), when there is one.
    public var limit: Int?
    /// The offending value when it is safe to echo (a code or a category name, never free text).
    public var value: String?
    /// For an unknown name: the closest known ones, best first, so the user can fix a typo.
    public var candidates: [String]
    /// What an accepted value looks like ("12/03/2019 08:00"), shown with a format error. Local
    /// to the device: not part of the wire's FieldError.
    public var example: String?
    /// For a value that could mean two things (`1,000`): both readings. Local, as `example`.
    public var readings: [String]?
    /// A sentence that says more than the reason can (which communes the agency is assigned),
    /// in both languages; replaces the reason's text. Local, as `example`.
    public var detail: LocalText?

    /// A sentence in Vietnamese and English.
    public struct LocalText: Sendable, Hashable, Codable {
        public var vi: String
        public var en: String
        public init(vi: String, en: String) { self.vi = vi; self.en = en }
        public func pick(_ language: Language) -> String { language.pick(vi: vi, en: en) }
    }

    public init(
        field: String, reason: Reason, limit: Int? = nil, value: String? = nil, candidates: [String] = [],
        example: String? = nil, readings: [String]? = nil, detail: LocalText? = nil
    ) {
        self.field = field
        self.reason = reason
        self.limit = limit
        self.value = value
        self.candidates = candidates
        self.example = example
        self.readings = readings
        self.detail = detail
    }

    /// "cadres[0].name: bắt buộc" — field first, so a user can find it.
    public func message(_ language: Language) -> String {
        if let readings, readings.count == 2 {
            let value = self.value ?? ""
            let example = self.example.map { language.pick(vi: "; hãy viết rõ, ví dụ \($0)", en: "; write it unambiguously, for example \($0)") } ?? ""
            return "\(field): " + language.pick(
                vi: "không rõ nghĩa (\(value)): có thể là \(readings[0]) hoặc \(readings[1])",
                en: "is ambiguous (\(value)): it could be \(readings[0]) or \(readings[1])") + example
        }
        if let detail { return "\(field): \(detail.pick(language))" }
        let closest = candidates.isEmpty ? "" : language.pick(vi: "; gần nhất: ", en: "; closest: ") + candidates.joined(separator: ", ")
        let example = self.example.map { language.pick(vi: "; ví dụ: \($0)", en: "; for example: \($0)") } ?? ""
        return "\(field): \(reasonText(language))\(closest)\(example)"
    }

    public var description: String { message(.en) }

    private func reasonText(_ l: Language) -> String {
        let n = limit.map(String.init) ?? "?"
        let v = value.map { " (\($0))" } ?? ""
        switch reason {
        case .required: return l.pick(vi: "bắt buộc, không được để trống", en: "is required")
        case .tooLong: return l.pick(vi: "quá dài (tối đa \(n) ký tự)", en: "is too long (at most \(n) characters)")
        case .tooMany: return l.pick(vi: "quá nhiều mục (tối đa \(n))", en: "has too many items (at most \(n))")
        case .invalidFormat: return l.pick(vi: "sai định dạng\(v)", en: "has an invalid format\(v)")
        case .endBeforeStart: return l.pick(vi: "thời gian kết thúc phải sau thời gian bắt đầu", en: "end must be after start")
        case .durationTooLong: return l.pick(vi: "chuyến công tác quá dài (tối đa \(n) ngày)", en: "visit is too long (at most \(n) days)")
        case .tooEarly: return l.pick(vi: "ngày quá sớm (trước năm \(n))", en: "date is too early (before \(n))")
        case .inFuture: return l.pick(vi: "thời gian nằm ở tương lai", en: "lies in the future")
        case .unknownCategory: return l.pick(vi: "loại hoạt động không tồn tại\(v)", en: "unknown activity category\(v)")
        case .negative: return l.pick(vi: "không được âm", en: "must not be negative")
        case .tooLarge: return l.pick(vi: "giá trị quá lớn (tối đa \(n))", en: "is too large (at most \(n))")
        case .controlCharacters:
            return l.pick(
                vi: "chứa ký tự điều khiển không được phép (tab, ký tự xuống dòng CR, hoặc xuống dòng trong ô chỉ có một dòng); hãy xoá các ký tự này",
                en: "contains control characters that are not allowed (tab, carriage return, or a line break in a one-line field); remove them")
        case .invisibleCharacters:
            return l.pick(
                vi: "chứa ký tự ẩn (ký tự đổi chiều chữ, ký tự không độ rộng, ký tự ngắt dòng Unicode…); hãy xoá các ký tự ẩn này, thường gặp khi dán văn bản từ nơi khác",
                en: "contains invisible characters (text-direction, zero-width or Unicode line-separator characters); delete them — they often come with pasted text")
        case .combiningMarks:
            return l.pick(
                vi: "có chữ mang quá nhiều dấu (hơn \(n) dấu liền nhau); hãy gõ lại chữ đó",
                en: "a character carries too many combining marks (more than \(n) in a row); retype it")
        case .unknownCommune: return l.pick(vi: "không có xã với mã này\(v)", en: "no commune has this code\(v)")
        case .unknownAgency: return l.pick(vi: "không có cơ quan với mã này\(v)", en: "no agency has this code\(v)")
        case .duplicate: return l.pick(vi: "bị trùng\(v)", en: "is a duplicate\(v)")
        case .notFound: return l.pick(vi: "không tìm thấy\(v)", en: "not found\(v)")
        }
    }
}

/// Input refused for one or more field issues. Nothing is stored when this is thrown.
public struct ValidationError: Error, Sendable, Hashable, CustomStringConvertible {
    public var issues: [FieldIssue]

    public init(_ issues: [FieldIssue]) {
        self.issues = issues
    }

    public func message(_ language: Language) -> String {
        issues.map { $0.message(language) }.joined(separator: "; ")
    }

    public var description: String { message(.en) }
}
