import Foundation
import GiupXaModels
import Testing

/// Visit ids are UUID version 7 (PROTOCOL.md §2.2): time first, so new ids sort after old ones.
@Suite struct VisitIDTests {
    @Test func version7CarriesTheMillisecondAndTheVersionAndVariantBits() {
        let instant = Date(timeIntervalSince1970: 1_764_806_400.123)  // 2025-12-04 00:00:00.123 UTC
        let id = UUID.version7(at: instant)
        #expect(id.version == 7)
        #expect(id.uuid.8 & 0xC0 == 0x80)  // RFC 9562 variant
        let ms = [id.uuid.0, id.uuid.1, id.uuid.2, id.uuid.3, id.uuid.4, id.uuid.5].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        #expect(ms == 1_764_806_400_123)
        #expect(id.uuidString.hasPrefix("019AE6"))
    }

    @Test func laterIdsSortAfterEarlierOnesAsTheServerStoresThem() {
        let base = Date(timeIntervalSince1970: 1_700_000_000)
        let ids = (0..<50).map { UUID.version7(at: base.addingTimeInterval(Double($0) * 0.002)) }
        // The server keys visits by the id's text (upper-case hex): that order is the time order.
        #expect(ids.map(\.uuidString) == ids.map(\.uuidString).sorted())
        #expect(Set(ids).count == 50)
    }

    @Test func newVisitsAndResolvedInputsGetVersion7Ids() throws {
        let visit = Visit(communeCode: "03376", start: Date(), end: Date().addingTimeInterval(3600), cadres: [Cadre(name: "Lò Văn Minh")])
        #expect(visit.id.version == 7)
    }
}
