public import Foundation

/// A visit as a cadre writes it in a JSON file or on the command line: dates as
/// "dd/mm/yyyy HH:mm" (UTC+7) or ISO 8601, categories by name or number, the commune by code
/// or by name. `resolve` turns it into a normalised `Visit` or reports every problem at once.
public struct VisitInput: Sendable, Codable {
    public var id: String?
    public var commune: String
    public var start: String
    public var end: String
    public var cadres: [CadreInput]
    public var plan: PlanInput?
    public var activities: [ActivityInput]?
    public var support: [SupportInput]?
    public var results: String?
    public var communeRequests: String?

    public struct CadreInput: Sendable, Codable {
        public var name: String
        public var position: String?
        public init(name: String, position: String?) { self.name = name; self.position = position }
    }

    public struct PlanInput: Sendable, Codable {
        public var written: Bool
        public var summary: String?
        public init(written: Bool, summary: String?) { self.written = written; self.summary = summary }
    }

    public struct ActivityInput: Sendable, Codable {
        public var category: String
        public var description: String?
        public init(category: String, description: String?) { self.category = category; self.description = description }
    }

    public struct SupportInput: Sendable, Codable {
        public var description: String
        public var quantity: Double?
        public var unit: String?
        public var valueVnd: Int64

        enum CodingKeys: String, CodingKey {
            case description, quantity, unit
            case valueVnd = "value_vnd"
        }

        public init(description: String, quantity: Double?, unit: String?, valueVnd: Int64) {
            self.description = description
            self.quantity = quantity
            self.unit = unit
            self.valueVnd = valueVnd
        }

        /// Numbers as JSON numbers, or as text typed the Vietnamese way ("1.000", "15.000.000 đ"),
        /// read by `NumberInput`; a refused one is a `FieldIssue` naming the field.
        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            description = try container.decode(String.self, forKey: .description)
            unit = try container.decodeIfPresent(String.self, forKey: .unit)
            func field(_ key: CodingKeys) -> String {
                (decoder.codingPath + [key]).reduce(into: "") { path, key in
                    if let index = key.intValue { path += "[\(index)]" } else { path += path.isEmpty ? key.stringValue : ".\(key.stringValue)" }
                }
            }
            if let number = try? container.decodeIfPresent(Double.self, forKey: .quantity) {
                quantity = number
            } else if let text = try container.decodeIfPresent(String.self, forKey: .quantity) {
                switch NumberInput.quantity(text) {
                case .success(let read): quantity = read
                case .failure(let failure): throw failure.issue(field: field(.quantity), value: text, example: NumberInput.quantityExample)
                }
            } else {
                quantity = nil
            }
            if let number = try? container.decode(Int64.self, forKey: .valueVnd) {
                valueVnd = number
            } else {
                let text = try container.decode(String.self, forKey: .valueVnd)
                switch NumberInput.amount(text) {
                case .success(let read): valueVnd = read
                case .failure(let failure): throw failure.issue(field: field(.valueVnd), value: text, example: NumberInput.amountExample)
                }
            }
        }
    }

    /// What was already refused while the input was read (a number typed in a form that cannot
    /// be read); reported by `resolve` with every other issue. Not part of the file format.
    public var readingIssues: [FieldIssue] = []

    enum CodingKeys: String, CodingKey {
        case id, commune, start, end, cadres, plan, activities, support, results
        case communeRequests = "commune_requests"
    }

    public init(
        id: String? = nil, commune: String, start: String, end: String, cadres: [CadreInput], plan: PlanInput? = nil,
        activities: [ActivityInput]? = nil, support: [SupportInput]? = nil, results: String? = nil, communeRequests: String? = nil
    ) {
        self.id = id
        self.commune = commune
        self.start = start
        self.end = end
        self.cadres = cadres
        self.plan = plan
        self.activities = activities
        self.support = support
        self.results = results
        self.communeRequests = communeRequests
    }

    /// Reads one visit object or an array of them (`VisitFile`: errors a person can act on).
    public static func decodeFile(_ data: Data) throws(VisitFile.Failure) -> [VisitInput] {
        try VisitFile.read(data)
    }

    /// The validated visit. `communes` (the agency's assigned communes, from its cached
    /// assignments or the server's) lets a cadre name the commune instead of typing its code;
    /// names match without tones or case. Multi-line fields get LF line ends (Windows text);
    /// any other character the text rules refuse is reported, never silently dropped.
    public func resolve(communes: [(code: String, name: String)], now: Date = Date()) throws(ValidationError) -> Visit {
        var issues = readingIssues
        var uuid = UUID.version7(at: now)
        if let id {
            if let parsed = UUID(uuidString: id) { uuid = parsed } else {
                issues.append(FieldIssue(field: "id", reason: .invalidFormat, value: String(id.prefix(40))))
            }
        }
        let communeCode = Self.resolveCommune(commune, in: communes)
        // A time is required: a day alone would silently count from midnight.
        func moment(_ text: String, field: String) -> Date? {
            switch DateTimeInput.parse(text) {
            case .success(let date): return date
            case .failure(let failure):
                issues.append(DateTimeInput.issue(failure, field: field, value: text))
                return nil
            }
        }
        let startDate = moment(start, field: "start")
        let endDate = moment(end, field: "end")
        var mapped: [Activity] = []
        for (i, activity) in (activities ?? []).enumerated() {
            guard let category = Self.category(activity.category) else {
                issues.append(FieldIssue(field: "activities[\(i)].category", reason: .unknownCategory, value: String(activity.category.prefix(40))))
                continue
            }
            mapped.append(Activity(category: category, description: Self.lines(activity.description)))
        }
        let visit = Visit(
            id: uuid, communeCode: communeCode,
            start: startDate ?? Date(timeIntervalSince1970: 0), end: endDate ?? Date(timeIntervalSince1970: 1),
            cadres: cadres.map { Cadre(name: $0.name, position: $0.position ?? "") },
            plan: VisitPlan(hasWrittenPlan: plan?.written ?? false, summary: Self.lines(plan?.summary)),
            activities: mapped,
            support: (support ?? []).map {
                SupportItem(description: $0.description, quantity: $0.quantity ?? 1, unit: $0.unit ?? "", valueVND: $0.valueVnd)
            },
            results: Self.lines(results), communeRequests: Self.lines(communeRequests)
        ).normalized()
        // Every field's problems together, but not those caused by dates that could not be read.
        let datesRead = startDate != nil && endDate != nil
        issues += VisitValidator().issues(in: visit, now: now).filter { datesRead || ($0.field != "start" && $0.field != "end") }
        if !issues.isEmpty { throw ValidationError(issues) }
        return visit
    }

    /// A multi-line field's text with CRLF and lone CR as LF, which the server requires.
    static func lines(_ text: String?) -> String {
        TextRules.unifyingLineEndings(text ?? "")
    }

    /// A five-digit code as it is; otherwise the cached commune whose name matches, or else the
    /// one commune of the province with that name (so an unassigned or not yet cached commune is
    /// named as such, not as a format error).
    static func resolveCommune(_ text: String, in communes: [(code: String, name: String)]) -> String {
        let trimmed = VietnameseText.normalize(text)
        if Commune.isValidCode(trimmed) { return trimmed }
        let key = VietnameseText.searchKey(trimmed)
        let matches = Set(communes.filter { VietnameseText.searchKey($0.name) == key }.map(\.code))
        if matches.count == 1 { return matches.first! }
        let known = Set(DefaultData.communes.filter { VietnameseText.searchKey($0.name) == key }.map(\.code))
        return matches.isEmpty && known.count == 1 ? known.first! : trimmed
    }

    /// "socio_economic_review", "socio-economic-review" or "1".
    static func category(_ text: String) -> ActivityCategory? {
        let trimmed = text.trimmingCharacters(in: .whitespaces).lowercased().replacingOccurrences(of: "-", with: "_")
        if let number = Int(trimmed) { return ActivityCategory(number: number) }
        return ActivityCategory(rawValue: trimmed)
    }
}
