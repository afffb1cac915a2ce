/// Reads a decision's assignment table as operators keep it in a spreadsheet: one row per
/// agency–commune pair, agencies and communes by code or by name (matched without tones or
/// case), an optional district column to tell same-named communes apart, and an optional role.
public enum AssignmentTable {
    public static func parse(
        csv text: String, decisionNumber: String, agencies: [Agency], communes: [Commune]
    ) throws(ValidationError) -> [Assignment] {
        let table: CSVTable
        do {
            table = try CSVTable(parsing: text)
        } catch {
            throw ValidationError([FieldIssue(field: "csv", reason: .invalidFormat, value: "\(error)")])
        }
        guard let agencyColumn = table.column("agency_code", "agency", "mã cơ quan", "cơ quan", "đơn vị"),
              let communeColumn = table.column("commune_code", "commune", "mã xã", "xã")
        else {
            throw ValidationError([FieldIssue(field: "csv.header", reason: .required, value: "agency_code, commune_code")])
        }
        let districtColumn = table.column("district", "district_name", "huyện")
        let roleColumn = table.column("role", "vai trò")

        let agencyByCode = Dictionary(agencies.map { ($0.code, $0) }, uniquingKeysWith: { a, _ in a })
        let agencyByKey = Dictionary(grouping: agencies, by: \.searchKey)
        let communeByCode = Dictionary(communes.map { ($0.code, $0) }, uniquingKeysWith: { a, _ in a })
        let communeByKey = Dictionary(grouping: communes, by: \.searchKey)

        var issues: [FieldIssue] = []
        var result: [Assignment] = []
        var seen = Set<String>()
        for (index, row) in table.rows.enumerated() {
            let line = index + 2  // 1-based, after the header: what Excel shows
            func cell(_ column: Int?) -> String { column.flatMap { $0 < row.count ? row[$0] : nil } ?? "" }
            let agencyText = cell(agencyColumn), communeText = cell(communeColumn)
            if agencyText.isEmpty && communeText.isEmpty { continue }

            let agency = agencyByCode[agencyText.uppercased()]
                ?? agencyByKey[VietnameseText.searchKey(agencyText)].flatMap { $0.count == 1 ? $0[0] : nil }
            if agency == nil {
                issues.append(FieldIssue(
                    field: "row \(line).agency", reason: .unknownAgency, value: agencyText,
                    candidates: NearestNames.closest(to: agencyText, among: agencies.map(\.name))))
            }
            var commune = communeByCode[communeText]
            if commune == nil {
                var candidates = communeByKey[VietnameseText.searchKey(communeText)] ?? []
                let district = VietnameseText.searchKey(cell(districtColumn))
                if candidates.count > 1 && !district.isEmpty {
                    // "Huyện Điện Biên" must not also pick "Huyện Điện Biên Đông": an exact
                    // district name first, then one without its prefix, then a partial match.
                    let exact = candidates.filter { Self.districtKeys($0.district.name).contains(district) }
                    candidates = exact.isEmpty ? candidates.filter { VietnameseText.searchKey($0.district.name).contains(district) } : exact
                }
                commune = candidates.count == 1 ? candidates[0] : nil
                if candidates.count > 1 {
                    issues.append(FieldIssue(field: "row \(line).commune", reason: .duplicate, value: "\(communeText): \(candidates.map(\.district.name).joined(separator: ", "))"))
                    continue
                }
            }
            if commune == nil {
                issues.append(FieldIssue(
                    field: "row \(line).commune", reason: .unknownCommune, value: communeText,
                    candidates: Self.closestCommunes(communeText, communes)))
            }
            // A district given beside a commune must be the commune's: a wrong one is a sign the
            // row means another commune, never ignored.
            let districtText = cell(districtColumn)
            let given = VietnameseText.searchKey(districtText)
            if let found = commune, !given.isEmpty,
               !Self.districtKeys(found.district.name).contains(given), !VietnameseText.searchKey(found.district.name).contains(given) {
                issues.append(FieldIssue(field: "row \(line).district", reason: .invalidFormat, value: districtText, detail: .init(
                    vi: "xã \(found.code) \(found.name) thuộc \(found.district.name), không phải \(districtText)",
                    en: "commune \(found.code) \(found.name) is in \(found.district.name), not \(districtText)")))
                continue
            }
            let roleKey = VietnameseText.searchKey(cell(roleColumn))
            let role: Assignment.Role
            switch roleKey {
            case "", "lead", "phu trach", "chu tri": role = .lead
            case "supporting", "phoi hop", "ho tro": role = .supporting
            default:
                issues.append(FieldIssue(field: "row \(line).role", reason: .invalidFormat, value: cell(roleColumn)))
                continue
            }
            guard let agency, let commune else { continue }
            guard seen.insert("\(agency.code)|\(commune.code)").inserted else {
                issues.append(FieldIssue(field: "row \(line)", reason: .duplicate, value: "\(agency.code) → \(commune.code)"))
                continue
            }
            result.append(Assignment(decisionNumber: decisionNumber, agencyCode: agency.code, communeCode: commune.code, role: role))
        }
        if !issues.isEmpty { throw ValidationError(issues) }
        return result
    }

    /// "Huyện Điện Biên Đông" is also written "Điện Biên Đông" or "H. Điện Biên Đông".
    static func districtKeys(_ name: String) -> Set<String> {
        let key = VietnameseText.searchKey(name)
        var keys: Set<String> = [key]
        for prefix in ["huyen ", "thi xa ", "thanh pho ", "h. ", "tx. ", "tp. ", "tp "] where key.hasPrefix(prefix) {
            keys.insert(String(key.dropFirst(prefix.count)))
        }
        return keys
    }

    /// The communes whose names are closest, with their district to tell them apart.
    static func closestCommunes(_ text: String, _ communes: [Commune]) -> [String] {
        let names = NearestNames.closest(to: text, among: communes.map(\.name))
        return names.flatMap { name in communes.filter { $0.name == name }.map { "\($0.name) (\($0.district.name))" } }
            .prefix(3).map { $0 }
    }
}
