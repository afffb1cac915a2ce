import Foundation
import GiupXaModels
import Testing

/// A visit file's problems are named where they are.
@Suite struct VisitFileTests {
    static func read(_ text: String) -> VisitFile.Failure? {
        do throws(VisitFile.Failure) {
            _ = try VisitFile.read(Data(text.utf8))
            return nil
        } catch {
            return error
        }
    }

    static let good = #"{"commune": "03376", "start": "12/03/2019 08:00", "end": "13/03/2019 16:00", "cadres": [{"name": "Lò Văn Minh", "position": "Chuyên viên"}]}"#

    @Test func aGoodFileIsRead() throws {
        #expect(Self.read(Self.good) == nil)
        #expect(Self.read("[\(Self.good), \(Self.good)]") == nil)
    }

    @Test func aSyntaxErrorIsPlacedByLineAndColumn() {
        #expect(Self.read("[\n  {\"commune\": \"03376\",\n   \"start\": x}\n]") == .syntax(line: 3, column: 13))
        #expect(Self.read("[\n  {\"commune\": \"03376\",\n   \"start\": x}\n]")?.message(.vi).contains("dòng 3, cột 13") == true)
    }

    @Test func anUnknownKeyIsRefusedWithTheNearestKnownOne() {
        let misspelt = Self.good.replacingOccurrences(of: "\"position\"", with: "\"positon\"")
        #expect(Self.read(misspelt) == .unknownKey(path: "cadres[0]", key: "positon", nearest: ["position"]))
        #expect(Self.read("[\(Self.good), \(misspelt)]") == .unknownKey(path: "[1].cadres[0]", key: "positon", nearest: ["position"]))
        let foreign = Self.good.replacingOccurrences(of: "\"position\"", with: "\"chuc_vu\"")
        #expect(Self.read(foreign)?.message(.en).hasPrefix("cadres[0]: the key \"chuc_vu\" is not part of the format") == true)
    }

    @Test func aWrongValueOrAMissingKeyIsNamed() {
        #expect(Self.read(#"{"commune": 3376, "start": "a", "end": "b", "cadres": []}"#) == .wrongType(path: "commune", expected: "text"))
        #expect(Self.read(#"{"start": "a", "end": "b", "cadres": []}"#) == .missingKey(path: "visit", key: "commune"))
        #expect(Self.read("42") == .notVisits)
    }

    /// Numbers in a file may be written as text the Vietnamese way; what could mean two things is refused.
    @Test func numbersMayBeTextTypedTheVietnameseWay() throws {
        let support = #"{"commune": "03376", "start": "12/03/2019 08:00", "end": "13/03/2019 16:00", "cadres": [{"name": "Lò Văn Minh"}], "support": [{"description": "Gạo", "quantity": "1.000", "unit": "kg", "value_vnd": "15.000.000 đ"}, {"description": "Chăn", "quantity": 20, "value_vnd": 4000000}]}"#
        let read = try VisitFile.read(Data(support.utf8))
        #expect(read.first?.support?.map(\.quantity) == [1000, 20])
        #expect(read.first?.support?.map(\.valueVnd) == [15_000_000, 4_000_000])
        let ambiguous = support.replacingOccurrences(of: #""1.000""#, with: #""1,000""#)
        #expect(Self.read("[\(ambiguous)]")?.message(.vi).hasPrefix("[0].support[0].quantity: không rõ nghĩa (1,000)") == true, "\(String(describing: Self.read("[\(ambiguous)]")))")
    }
}
