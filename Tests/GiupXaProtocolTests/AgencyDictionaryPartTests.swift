import Foundation
import GiupXaMessages
import GiupXaModels
import GiupXaProtocol
import SwiftProtobuf
import Testing

/// How an agency part is built (PROTOCOL.md §9.5): both ends must make the same bytes.
@Suite struct AgencyDictionaryPartTests {
    static func visit(_ index: Int, results: String = "") -> Visit {
        let start = Date(timeIntervalSince1970: 1_550_000_000 + Double(index) * 86_400)
        return Visit(communeCode: "03376", start: start, end: start.addingTimeInterval(3600),
                     cadres: [Cadre(name: "Lò Văn Minh")], results: results.isEmpty ? "Đợt \(index)" : results)
    }

    @Test func thePartIsTheNewestVisitsThatFitOldestFirst() throws {
        let newestFirst = (0..<10).reversed().map { Self.visit($0, results: String(repeating: "x", count: 10_000)) }
        let part = try #require(AgencyDictionary(newestFirst: newestFirst))
        // About 10 KB each: six fit in 64 KiB, the newest six.
        #expect(part.visits == 6)
        let expected = try newestFirst.prefix(6).reversed().flatMap { try Giupxa_V1_Visit($0).serializedBytes() as [UInt8] }
        #expect(part.part == expected && part.part.count <= AgencyDictionary.maxBytes)
        #expect(part.digest.count == 8)
        // The server's copy of the same six visits is the same part; one visit more or less is not.
        #expect(AgencyDictionary(exactly: Array(newestFirst.prefix(6))) == part)
        #expect(try #require(AgencyDictionary(exactly: Array(newestFirst.prefix(5)))).matches(part.hello) == false)
        #expect(AgencyDictionary(exactly: Array(newestFirst.prefix(7))) == nil, "over 64 KiB")
        #expect(AgencyDictionary(newestFirst: []) == nil)
    }

    @Test func itExtendsThePublishedDictionaryUnderAFlaggedID() throws {
        let part = try #require(AgencyDictionary(newestFirst: [Self.visit(1)]))
        let dictionary = part.extending(.visits1)
        #expect(dictionary.id == 0x8000_0001)
        #expect(dictionary.bytes == CompressionDictionary.visits1.bytes + part.part)
        #expect(AgencyDictionary.base(ofID: dictionary.id) == .visits1)
        #expect(AgencyDictionary.base(ofID: 1) == nil && AgencyDictionary.base(ofID: 0x8000_0007) == nil)
        #expect(CompressionDictionary.known(dictionary.id) == nil, "a server without §9.5 refuses the id")
    }
}
