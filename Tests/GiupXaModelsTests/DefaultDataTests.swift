import Foundation
import GiupXaModels
import Testing

@Suite struct DefaultDataTests {
    @Test func carriesThe130CommunesOf2017() {
        #expect(DefaultData.communes.count == 130)
        #expect(Set(DefaultData.communes.map(\.code)).count == 130)
        #expect(Set(DefaultData.communes.map(\.district.code)).count == 10)
        #expect(DefaultData.communes.allSatisfy { Commune.isValidCode($0.code) })
        let keoLom = DefaultData.communes.first { $0.code == "03376" }
        #expect(keoLom?.name == "Keo Lôm")
        #expect(keoLom?.district.name == "Huyện Điện Biên Đông")
    }

    @Test func sampleDecisionHasTheConfirmedPairAndIsLabelled() {
        #expect(DefaultData.sampleDecision.isSample)
        #expect(DefaultData.sampleDecision.number == "708/QĐ-UBND")
        let stnmt = DefaultData.sampleAssignments.filter { $0.agencyCode == "STNMT" }.map(\.communeCode)
        #expect(Set(stnmt) == ["03376", "03208", "03211"])
        let codes = Set(DefaultData.communes.map(\.code))
        #expect(DefaultData.sampleAssignments.allSatisfy { codes.contains($0.communeCode) })
        let agencies = Set(DefaultData.agencies.map(\.code))
        #expect(DefaultData.sampleAssignments.allSatisfy { agencies.contains($0.agencyCode) })
    }

    @Test func assignmentTableReadsVietnameseHeadersNamesAndCodes() throws {
        let csv = "\u{FEFF}Cơ quan,Xã,Huyện,Vai trò\n"
            + "Sở Tài nguyên và Môi trường,KEO LOM,,phụ trách\n"
            + "SYT,\("Mường Nhé".decomposedStringWithCanonicalMapping),,Phối hợp\n"
            + "STNMT,03208,,\n"
        let rows = try AssignmentTable.parse(csv: csv, decisionNumber: "1/QĐ", agencies: DefaultData.agencies, communes: DefaultData.communes)
        #expect(rows.map(\.agencyCode) == ["STNMT", "SYT", "STNMT"])
        #expect(rows.map(\.communeCode) == ["03376", DefaultData.communes.first { $0.name == "Mường Nhé" }!.code, "03208"])
        #expect(rows.map(\.role) == [.lead, .supporting, .lead])
    }

    @Test func assignmentTableRefusesUnknownNamesWholesale() {
        let csv = "agency_code,commune_code\nSTNMT,03376\nXYZ,Không Có\n"
        #expect {
            try AssignmentTable.parse(csv: csv, decisionNumber: "1/QĐ", agencies: DefaultData.agencies, communes: DefaultData.communes)
        } throws: { error in
            let issues = (error as? ValidationError)?.issues ?? []
            return issues.contains { $0.field == "row 3.agency" && $0.reason == .unknownAgency }
                && issues.contains { $0.field == "row 3.commune" && $0.reason == .unknownCommune }
        }
    }
}
