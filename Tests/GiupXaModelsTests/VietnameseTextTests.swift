import Foundation
@testable import GiupXaModels
import Testing

@Suite struct VietnameseTextTests {
    @Test func nfdInputIsStoredAsNFC() {
        let nfd = "Mường Nhé".decomposedStringWithCanonicalMapping
        #expect(nfd.unicodeScalars.count == 13)
        let normalized = VietnameseText.normalize(nfd)
        #expect(normalized.unicodeScalars.count == 9)
        #expect(normalized == "Mường Nhé")
        #expect(Array(normalized.utf8) == Array("Mường Nhé".precomposedStringWithCanonicalMapping.utf8))
    }

    /// The fast path of `normalize` skips NFC for scalars it calls stable: each must be its own
    /// NFC, alone and after a base letter, byte for byte.
    @Test func scalarsTheFastPathTrustsAreTheirOwnNFC() {
        let ranges: [ClosedRange<UInt32>] = [0x20...0x2FF, 0x1E00...0x1EFF]
        for value in ranges.joined() {
            guard let scalar = Unicode.Scalar(value) else { continue }
            for text in [String(scalar), "a" + String(scalar), String(scalar) + "e"] {
                #expect(VietnameseText.isStableUnderNFC(text))
                #expect(Array(text.precomposedStringWithCanonicalMapping.utf8) == Array(text.utf8), "U+\(String(value, radix: 16))")
            }
        }
        // A combining mark is not trusted: "e" + U+0302 + U+0301 must become "ế".
        #expect(!VietnameseText.isStableUnderNFC("e\u{302}\u{301}"))
        #expect(VietnameseText.normalize(" e\u{302}\u{301} ") == "ế")
        #expect(VietnameseText.normalize("  Mường Nhé\n") == "Mường Nhé")
        #expect(VietnameseText.normalize("Keo Lôm") == "Keo Lôm")
    }

    /// The scalar-wise trim removes exactly what Foundation's `.whitespacesAndNewlines` does,
    /// at either end, for every scalar of the Basic Multilingual Plane.
    @Test func trimmingMatchesFoundationsWhitespaceAndNewlines() {
        for value in UInt32(0)...0xFFFF {
            guard let scalar = Unicode.Scalar(value) else { continue }
            let s = String(scalar)
            for text in [s, s + "a" + s, "a" + s + s, s + "ê b" + s, s + s] {
                #expect(VietnameseText.trimmingWhitespace(text) == text.trimmingCharacters(in: .whitespacesAndNewlines), "U+\(String(value, radix: 16))")
            }
        }
        #expect(VietnameseText.trimmingWhitespace("") == "")
        #expect(VietnameseText.trimmingWhitespace(" \u{3000}\n ") == "")
    }

    /// The NFC fast path reads UTF-8 bytes: it must say what the scalar rule says, for every
    /// scalar (each two- to four-byte form) and wherever it sits in the text.
    @Test func byteScansAgreeWithTheScalarRulesEverywhere() {
        var values = Array(UInt32(0)...0xFFFF)
        values += [0x1_0000, 0x1_F600, 0x1_F1FB, 0x2_0000, 0x10_FFFF]
        for value in values {
            guard let scalar = Unicode.Scalar(value) else { continue }
            let stable = value < 0x300 || (0x1E00...0x1EFF).contains(value)
            for text in [String(scalar), "Lò \(scalar)", "\(scalar)ế"] {
                #expect(VietnameseText.isStableUnderNFC(text) == stable, "U+\(String(value, radix: 16))")
            }
        }
    }

    @Test func searchKeyDropsTonesCaseAndMapsDStroke() {
        #expect(VietnameseText.searchKey("Điện Biên Đông") == "dien bien dong")
        #expect(VietnameseText.searchKey("  MƯỜNG   nhé ") == "muong nhe")
        #expect(VietnameseText.searchKey("Mường Nhé".decomposedStringWithCanonicalMapping) == "muong nhe")
        // Old and new tone placement differ even in NFC, but share a search key.
        #expect("hòa" != "hoà")
        #expect(VietnameseText.searchKey("hòa") == VietnameseText.searchKey("hoà"))
    }

    @Test func formatsMoneyAndDatesTheVietnameseWay() {
        #expect(VietnameseFormat.vnd(193_900_000) == "193.900.000 đ")
        #expect(VietnameseFormat.vnd(0) == "0 đ")
        #expect(VietnameseFormat.vnd(1_234_567, language: .en) == "1,234,567 VND")
        let date = CivilDate(year: 2017, month: 8, day: 17)!
        #expect(date.description == "17/08/2017")
        #expect(date.officialStyle == "ngày 17 tháng 8 năm 2017")
        #expect(CivilDate(parsing: "17/08/2017") == date)
        #expect(CivilDate(parsing: "2017-08-17") == date)
        #expect(CivilDate(parsing: "31/02/2017") == nil)
    }

    @Test func localTimeIsUTCPlus7() throws {
        let date = try #require(VietnameseFormat.parseDateTime("17/08/2017 08:30"))
        #expect(date.timeIntervalSince1970 == 1_502_933_400)  // 01:30 UTC
        #expect(VietnameseFormat.dateTime(date) == "17/08/2017 08:30")
        #expect(VietnameseFormat.parseDateTime("2017-08-17T08:30:00+07:00") == date)
        #expect(VietnameseFormat.parseDateTime("17/08/2017 25:00") == nil)
        #expect(VietnameseFormat.parseDateTime("hôm qua") == nil)
    }

    @Test func languageFollowsEnvironment() {
        #expect(Language.fromEnvironment([:]) == .vi)
        #expect(Language.fromEnvironment(["LANG": "en_US.UTF-8"]) == .en)
        #expect(Language.fromEnvironment(["LANG": "vi_VN.UTF-8"]) == .vi)
        #expect(Language.fromEnvironment(["LC_ALL": "C.UTF-8", "LANG": "en_US.UTF-8"]) == .vi)
    }

    @Test func csvHandlesBOMQuotesAndNFD() throws {
        let text = "\u{FEFF}Mã cơ quan,Xã\r\n\"STNMT\",\"Keo \"\"Lôm\"\"\"\n" + "SYT,\("Mường Nhé".decomposedStringWithCanonicalMapping)\n"
        let table = try CSVTable(parsing: text)
        #expect(table.header == ["Mã cơ quan", "Xã"])
        #expect(table.rows == [["STNMT", "Keo \"Lôm\""], ["SYT", "Mường Nhé"]])
        #expect(table.column("ma co quan") == 0)
        #expect(throws: CSVTable.ParseError.unterminatedQuote(line: 2)) { try CSVTable(parsing: "a,b\n\"open,x\n") }
    }
}
