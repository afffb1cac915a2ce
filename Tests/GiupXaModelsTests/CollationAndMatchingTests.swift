import Foundation
import GiupXaModels
import Testing

@Suite struct CollationAndMatchingTests {
    @Test func vietnameseOrderPutsLettersBeforeTones() {
        let names = ["Ẳng Tở", "Búng Lao", "Đông Phong", "Ảng Nưa", "Chà Cang", "Ăng", "An", "Dân", "Zê", "Ẩm"]
        let sorted = names.sorted(by: VietnameseCollation.areInIncreasingOrder)
        // a < ă < â < b < c < d < đ …; code-point order would put Đ, Ẳ and Ẩ after Z.
        #expect(sorted == ["An", "Ảng Nưa", "Ăng", "Ẳng Tở", "Ẩm", "Búng Lao", "Chà Cang", "Dân", "Đông Phong", "Zê"])
        // Tones only break ties, in dictionary order: ma, mà, mả, mã, má, mạ.
        #expect(["mạ", "má", "mã", "mả", "mà", "ma"].sorted(by: VietnameseCollation.areInIncreasingOrder) == ["ma", "mà", "mả", "mã", "má", "mạ"])
        // NFD input sorts like NFC.
        #expect(VietnameseCollation.sortKey("Mường Nhé".decomposedStringWithCanonicalMapping) == VietnameseCollation.sortKey("Mường Nhé"))
    }

    @Test func civilDateArithmeticAcrossLeapYears() {
        let d = CivilDate(year: 2019, month: 12, day: 14)!
        #expect(d.adding(days: 1) == CivilDate(year: 2019, month: 12, day: 15))
        #expect(CivilDate(year: 2020, month: 2, day: 28)!.adding(days: 1) == CivilDate(year: 2020, month: 2, day: 29))
        #expect(CivilDate(year: 2020, month: 12, day: 31)!.days(since: CivilDate(year: 2020, month: 1, day: 1)!) == 365)
        #expect(CivilDate(dayNumber: 0) == CivilDate(year: 1970, month: 1, day: 1))
    }

    @Test func unknownNamesSuggestTheClosestKnownOnes() {
        #expect(NearestNames.closest(to: "Keo Lom 3", among: ["Keo Lôm", "Phì Nhừ", "Chiềng Sơ"]) == ["Keo Lôm"])
        #expect(NearestNames.closest(to: "Sở Tài nguyen Moi truong", among: DefaultData.agencies.map(\.name)).first == "Sở Tài nguyên và Môi trường")
        #expect(NearestNames.closest(to: "zzzzzz", among: ["Keo Lôm"]).isEmpty)
    }

    @Test func assignmentTableRefusesUnknownNamesWithCandidatesAndTellsDistrictsApart() throws {
        let csv = """
            Cơ quan,Xã,Huyện,Vai trò
            Sở Tài nguyên và Môi trường,Keo Lom 3,Huyện Điện Biên Đông,Chủ trì
            So Tai nguyen Moi truong,Phì Nhừ,,Chủ trì
            """
        #expect {
            _ = try AssignmentTable.parse(csv: csv, decisionNumber: "1/QĐ", agencies: DefaultData.agencies, communes: DefaultData.communes)
        } throws: { error in
            guard let error = error as? ValidationError else { return false }
            let message = error.message(.vi)
            return message.contains("row 2.commune") && message.contains("gần nhất: Keo Lôm (Huyện Điện Biên Đông)")
                && message.contains("row 3.agency") && message.contains("Sở Tài nguyên và Môi trường")
        }
        // Two communes whose keys match but whose districts differ: the district decides, and
        // "Huyện Điện Biên" does not also match "Huyện Điện Biên Đông".
        let communes = [
            Commune(code: "1", name: "Na Son", kind: .xa, district: District(code: "A", name: "Huyện Điện Biên")),
            Commune(code: "2", name: "Na Sơn", kind: .xa, district: District(code: "B", name: "Huyện Điện Biên Đông")),
        ]
        let table = "agency_code,commune,district\nSTNMT,Na Sơn,Điện Biên\nSYT,Na Son,Huyện Điện Biên Đông\n"
        let parsed = try AssignmentTable.parse(csv: table, decisionNumber: "1/QĐ", agencies: DefaultData.agencies, communes: communes)
        #expect(parsed.map(\.communeCode) == ["1", "2"])
        // A unique commune with a district that is not its own: refused, not silently taken.
        let keoLom = try #require(DefaultData.communes.first { $0.code == "03376" })
        let wrong = "agency_code,commune,district\nSTNMT,\(keoLom.name),Huyện Tuần Giáo\n"
        #expect {
            _ = try AssignmentTable.parse(csv: wrong, decisionNumber: "1/QĐ", agencies: DefaultData.agencies, communes: DefaultData.communes)
        } throws: { error in
            (error as? ValidationError)?.message(.vi).contains("row 2.district: xã 03376 Keo Lôm thuộc \(keoLom.district.name), không phải Huyện Tuần Giáo") == true
        }
    }
}
