import Foundation
import GRDB
@testable import GiupXaStorage
import GiupXaModels
import Testing

/// The round's in-memory admission answers exactly as the SQL lookups do.
@Suite struct AdmissionsTests {
    @Test func inMemoryAnswersAgreeWithTheSQLRule() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("giupxa-admissions-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let store = try SQLiteStore(path: directory.appendingPathComponent("a.sqlite").path)
        _ = try await store.loadDefaultData()
        var random = SeededGenerator(seed: 708)
        let communes = Array(DefaultData.communes.prefix(6).map(\.code))
        let agencies = ["STNMT", "SYT", "SGDDT"]
        // Overlapping decisions, two starting the same day (then the later signed one is in force).
        let periods: [(String, (Int, Int, Int), (Int, Int, Int), (Int, Int, Int))] = [
            ("1/QĐ-UBND", (2016, 12, 1), (2017, 1, 1), (2020, 12, 31)),
            ("2/QĐ-UBND", (2019, 5, 1), (2019, 6, 1), (2022, 6, 30)),
            ("3/QĐ-UBND", (2019, 5, 20), (2019, 6, 1), (2021, 12, 31)),
            ("4/QĐ-UBND", (2023, 1, 1), (2023, 1, 1), (2025, 12, 31)),
        ]
        for (number, signed, start, end) in periods {
            let decision = Decision(
                number: number, signedOn: CivilDate(year: signed.0, month: signed.1, day: signed.2)!,
                period: DateRange(start: CivilDate(year: start.0, month: start.1, day: start.2)!, end: CivilDate(year: end.0, month: end.1, day: end.2)!),
                standingAgencyCode: "BDT")
            var table: [Assignment] = []
            for agency in agencies {
                for commune in communes where Bool.random(using: &random) {
                    table.append(Assignment(decisionNumber: number, agencyCode: agency, communeCode: commune, role: .lead))
                }
            }
            _ = try await store.importDecision(decision, assignments: table)
        }
        let visits = (0..<2_000).map { _ -> (Visit, String) in
            let start = Date(timeIntervalSince1970: Double.random(in: 1_450_000_000...1_800_000_000, using: &random))
            let visit = Visit(
                communeCode: Int.random(in: 0..<20, using: &random) == 0 ? "99999" : communes.randomElement(using: &random)!,
                start: start, end: start.addingTimeInterval(Double.random(in: 0...(86_400 * 60), using: &random)),
                cadres: [Cadre(name: "Lò Văn Minh", position: "")])
            return (visit, agencies.randomElement(using: &random)!)
        }
        let admissions = Admissions()
        let (disagreements, kinds) = try await store.pool.write { db in
            var disagreements: [String] = []
            var kinds = Set<String>()
            for (index, (visit, agency)) in visits.enumerated() {
                // A few rounds, so answers are both remembered and read afresh.
                let memory = try admissions.refusal(visit, agency: agency, round: index / 500, db: db)
                let sql = try SQLiteStore.refusal(
                    commune: visit.communeCode, agency: agency,
                    first: CivilDate(visit.start).yyyymmdd, last: CivilDate(visit.end).yyyymmdd,
                    inForce: Decision.inForce(on: CivilDate(visit.start), among: try SQLiteStore.decisions(db)), db: db)
                if memory != sql { disagreements.append("\(agency) \(visit.communeCode) \(visit.start)–\(visit.end): \(String(describing: memory)) ≠ \(String(describing: sql))") }
                kinds.insert(String(describing: sql))
            }
            return (disagreements, kinds)
        }
        let (count, firstFew) = (disagreements.count, Array(disagreements.prefix(3)))
        #expect(count == 0, "\(firstFew)")
        // Every answer the rule has was met.
        #expect(kinds.count == 5, "\(kinds)")
    }
}

/// SplitMix64: the same visits on every run.
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
