/// The embedded default data set: the 130 commune-level units of Điện Biên in 2017 (GSO
/// codes), the provincial agencies, and a sample decision. The sample decision is labelled
/// as such everywhere it appears: only its first three assignments are confirmed by the
/// source (Sở Tài nguyên và Môi trường → Keo Lôm, Phì Nhừ, Chiềng Sơ); the rest is made up
/// to give every agency something to report on.
public enum DefaultData {
    public static let communes: [Commune] = {
        let table = try! CSVTable(parsing: EmbeddedCSV.communes2017)
        return table.rows.map { row in
            Commune(
                code: row[0], name: row[1], kind: Commune.Kind(rawValue: row[2])!,
                district: District(code: row[3], name: row[4]))
        }
    }()

    public static let agencies: [Agency] = {
        let table = try! CSVTable(parsing: EmbeddedCSV.agencies)
        return table.rows.map { Agency(code: $0[0], name: $0[1], kind: $0[2]) }
    }()

    public static let sampleDecision = Decision(
        number: "708/QĐ-UBND",
        signedOn: CivilDate(year: 2017, month: 8, day: 17)!,
        period: DateRange(start: CivilDate(year: 2017, month: 8, day: 17)!, end: CivilDate(year: 2020, month: 12, day: 31)!),
        standingAgencyCode: "BDT",
        isSample: true)

    /// Keo Lôm, Phì Nhừ, Chiềng Sơ (huyện Điện Biên Đông), confirmed for STNMT.
    static let confirmedSTNMT = ["03376", "03208", "03211"]

    /// Every agency leads three rural communes (xã) in code order; every third agency also
    /// supports the first commune of the next one. Deterministic, so tests can rely on it.
    public static let sampleAssignments: [Assignment] = {
        let number = sampleDecision.number
        var result = confirmedSTNMT.map {
            Assignment(decisionNumber: number, agencyCode: "STNMT", communeCode: $0, role: .lead)
        }
        var pool = communes.filter { $0.kind == .xa && !confirmedSTNMT.contains($0.code) }.map(\.code).makeIterator()
        let others = agencies.filter { $0.code != "STNMT" }
        var leads: [[String]] = []
        for agency in others {
            var mine: [String] = []
            for _ in 0..<3 { if let code = pool.next() { mine.append(code) } }
            leads.append(mine)
            result += mine.map { Assignment(decisionNumber: number, agencyCode: agency.code, communeCode: $0, role: .lead) }
        }
        for (i, agency) in others.enumerated() where i % 3 == 0 && i + 1 < others.count {
            if let commune = leads[i + 1].first {
                result.append(Assignment(decisionNumber: number, agencyCode: agency.code, communeCode: commune, role: .supporting))
            }
        }
        return result
    }()
}
